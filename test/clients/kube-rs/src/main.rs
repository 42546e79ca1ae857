//! Asks SelfSubjectReview who we are with kube-rs through the exec stanza of the kubeconfig in
//! argv[1]: one request per line read on stdin, one JSON line printed per request. With argv[2] =
//! "rebuild" the program rebuilds its Client once `Client::valid_until()` has passed, as kube-rs
//! documents; with "keep" it keeps the Client it built first.
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::{Client, Config};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, BufReader};

async fn build(path: &str) -> Result<Client, String> {
    let kubeconfig = Kubeconfig::read_from(path).map_err(|e| e.to_string())?;
    let config = Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .map_err(|e| e.to_string())?;
    Client::try_from(config).map_err(|e| e.to_string())
}

async fn whoami(client: &Client) -> Value {
    let body = json!({"apiVersion": "authentication.k8s.io/v1", "kind": "SelfSubjectReview"});
    let request = http::Request::post("/apis/authentication.k8s.io/v1/selfsubjectreviews")
        .header("content-type", "application/json")
        .body(serde_json::to_vec(&body).unwrap())
        .unwrap();
    match client.request::<Value>(request).await {
        Ok(review) => {
            let info = &review["status"]["userInfo"];
            json!({
                "username": info["username"],
                "groups": info["groups"],
                "credentialId": info["extra"]["authentication.kubernetes.io/credential-id"][0].as_str().unwrap_or(""),
            })
        }
        Err(kube::Error::Api(status)) => json!({"status": status.code, "error": status.message}),
        Err(error) => json!({"error": error.to_string()}),
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (path, rebuild) = (&args[1], args.get(2).map(String::as_str) == Some("rebuild"));
    let mut client = match build(path).await {
        Ok(client) => client,
        Err(error) => {
            println!("{}", json!({"error": error}));
            std::process::exit(1);
        }
    };
    let mut lines = BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(_)) = lines.next_line().await {
        let expired = client.valid_until().is_some_and(|until| until <= jiff::Timestamp::now());
        if rebuild && expired {
            match build(path).await {
                Ok(fresh) => client = fresh,
                Err(error) => println!("{}", json!({"error": error})),
            }
        }
        println!("{}", whoami(&client).await);
    }
}

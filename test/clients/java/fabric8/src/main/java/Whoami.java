// Asks SelfSubjectReview who we are with fabric8 kubernetes-client, through the exec stanza of the
// kubeconfig in args[0]: one request per line read on stdin, one JSON line printed per request
// (test/e2e/clients/line-client.ts). The client is built once, as a long-running program would:
// args[1] "auto" as most programs do (KubernetesClientBuilder().build(), the kubeconfig from
// $KUBECONFIG, which must name args[0]), "file" with Config.fromKubeconfig(File), which skips the
// key type detection that autoConfigure applies to the exec plugin's key.
import io.fabric8.kubernetes.api.model.authentication.SelfSubjectReview;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.BufferedReader;
import java.io.File;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.InputStreamReader;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class Whoami {
  // fabric8's own (Jackson 2 in 7.x, Jackson 3 in 8.x)
  private static final KubernetesSerialization JSON = new KubernetesSerialization();
  private static final String PATH = "/apis/authentication.k8s.io/v1/selfsubjectreviews";

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    KubernetesClient client;
    try {
      if (args[1].equals("auto") && !new File(args[0]).equals(new File(System.getenv("KUBECONFIG")))) {
        throw new IllegalArgumentException("KUBECONFIG must name " + args[0]);
      }
      client = args[1].equals("auto")
          ? new KubernetesClientBuilder().build()
          : new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(new File(args[0]))).build();
    } catch (RuntimeException e) {
      System.out.println(failure(0, e));
      System.exit(1);
      return;
    }
    Map<String, String> review = Map.of("apiVersion", "authentication.k8s.io/v1", "kind", "SelfSubjectReview");
    while (in.readLine() != null) {
      try {
        String url = client.getMasterUrl().toString().replaceAll("/$", "") + PATH;
        UserInfo info = JSON.unmarshal(client.raw(url, "POST", review), SelfSubjectReview.class).getStatus().getUserInfo();
        List<String> ids = info.getExtra() == null ? null : info.getExtra().get("authentication.kubernetes.io/credential-id");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("username", info.getUsername());
        out.put("groups", info.getGroups());
        out.put("credentialId", ids == null || ids.isEmpty() ? "" : ids.get(0));
        System.out.println(JSON.asJson(out));
      } catch (KubernetesClientException e) {
        System.out.println(failure(e.getCode(), e));
      } catch (RuntimeException e) {
        System.out.println(failure(0, e));
      }
    }
    client.close();
  }

  private static String failure(int status, Exception e) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (status > 0) out.put("status", status);
    Throwable cause = e;
    while (cause.getCause() != null) cause = cause.getCause();
    out.put("error", e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).split("\n")[0] + " / " + cause);
    return JSON.asJson(out);
  }
}

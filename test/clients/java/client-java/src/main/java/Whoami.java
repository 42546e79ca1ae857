// Asks SelfSubjectReview who we are with the official Kubernetes Java client, through the exec stanza
// of the kubeconfig in args[0]: one request per line read on stdin, one JSON line printed per request
// (test/e2e/clients/line-client.ts). The ApiClient is built once, as a long-running program would.
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.apis.AuthenticationV1Api;
import io.kubernetes.client.openapi.models.V1SelfSubjectReview;
import io.kubernetes.client.openapi.models.V1UserInfo;
import io.kubernetes.client.util.Config;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.List;

public class Whoami {
  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
    AuthenticationV1Api api;
    try {
      ApiClient client = Config.fromConfig(args[0]);
      api = new AuthenticationV1Api(client);
    } catch (Exception e) {
      System.out.println(failure(0, e));
      System.exit(1);
      return;
    }
    while (in.readLine() != null) {
      try {
        V1SelfSubjectReview review = new V1SelfSubjectReview().apiVersion("authentication.k8s.io/v1").kind("SelfSubjectReview");
        V1UserInfo info = api.createSelfSubjectReview(review).execute().getStatus().getUserInfo();
        JsonObject out = new JsonObject();
        out.addProperty("username", info.getUsername());
        JsonArray groups = new JsonArray();
        for (String group : info.getGroups()) groups.add(group);
        out.add("groups", groups);
        List<String> ids = info.getExtra() == null ? null : info.getExtra().get("authentication.kubernetes.io/credential-id");
        out.addProperty("credentialId", ids == null || ids.isEmpty() ? "" : ids.get(0));
        System.out.println(out);
      } catch (ApiException e) {
        System.out.println(failure(e.getCode(), e));
      } catch (RuntimeException e) {
        System.out.println(failure(0, e));
      }
    }
  }

  private static String failure(int status, Exception e) {
    JsonObject out = new JsonObject();
    if (status > 0) out.addProperty("status", status);
    Throwable cause = e;
    while (cause.getCause() != null) cause = cause.getCause();
    out.addProperty("error", e.getClass().getSimpleName() + ": " + String.valueOf(e.getMessage()).split("\n")[0] + " / " + cause);
    return out.toString();
  }
}

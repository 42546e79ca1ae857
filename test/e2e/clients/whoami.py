"""Asks SelfSubjectReview who we are with the Python kubernetes client, through the exec stanza of
the kubeconfig in argv[1]. The plugin runs once, in load_kube_config; then one request per line
read on stdin, one JSON line printed per request ({status, error} when it is refused)."""
import json
import sys

from kubernetes import client, config
from kubernetes.client.rest import ApiException

config.load_kube_config(config_file=sys.argv[1])
api = client.AuthenticationV1Api()
for _ in sys.stdin:
    try:
        info = api.create_self_subject_review(client.V1SelfSubjectReview()).status.user_info
    except ApiException as error:
        print(json.dumps({"status": error.status, "error": str(error.reason)}), flush=True)
        continue
    except Exception as error:  # TLS or connection failure: no HTTP status
        print(json.dumps({"error": f"{type(error).__name__}: {error}"}), flush=True)
        continue
    extra = info.extra or {}
    ids = extra.get("authentication.kubernetes.io/credential-id") or [""]
    print(json.dumps({"username": info.username, "groups": info.groups, "credentialId": ids[0]}), flush=True)

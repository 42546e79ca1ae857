"""Asks SelfSubjectReview who we are with the Python kubernetes client, through the exec stanza of
the kubeconfig in argv[1]. The plugin runs once, in load_kube_config; then one request per line
read on stdin, one JSON line printed per request."""
import json
import sys

from kubernetes import client, config

config.load_kube_config(config_file=sys.argv[1])
api = client.AuthenticationV1Api()
for _ in sys.stdin:
    info = api.create_self_subject_review(client.V1SelfSubjectReview()).status.user_info
    extra = info.extra or {}
    ids = extra.get("authentication.kubernetes.io/credential-id") or [""]
    print(json.dumps({"username": info.username, "groups": info.groups, "credentialId": ids[0]}), flush=True)

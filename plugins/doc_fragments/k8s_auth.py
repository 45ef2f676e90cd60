# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # Connection options, named as in kubernetes.core; every one also reads K8S_AUTH_* (AWX credentials).
    DOCUMENTATION = r'''
options:
  kubeconfig:
    description:
      - Path to a kubeconfig file (several joined with C(:) are merged), or the kubeconfig itself as a dictionary.
      - Without it, C(~/.kube/config) or the in-cluster service account is used.
      - Can also be specified via E(K8S_AUTH_KUBECONFIG).
    type: raw
  context:
    description: "The kubeconfig context to use. Can also be specified via E(K8S_AUTH_CONTEXT)."
    type: str
  host:
    description: "URL of the Kubernetes API server. Can also be specified via E(K8S_AUTH_HOST)."
    type: str
  api_key:
    description: "Bearer token for the API server. Can also be specified via E(K8S_AUTH_API_KEY)."
    type: str
  username:
    description: "User name for basic authentication. Can also be specified via E(K8S_AUTH_USERNAME)."
    type: str
  password:
    description: "Password for basic authentication. Can also be specified via E(K8S_AUTH_PASSWORD)."
    type: str
  validate_certs:
    description: "Whether to verify the API server's TLS certificate. Can also be specified via E(K8S_AUTH_VERIFY_SSL)."
    type: bool
    aliases: [verify_ssl]
  ca_cert:
    description: "CA certificate file of the API server. Can also be specified via E(K8S_AUTH_SSL_CA_CERT)."
    type: path
    aliases: [ssl_ca_cert]
  client_cert:
    description: "Client certificate file. Can also be specified via E(K8S_AUTH_CERT_FILE)."
    type: path
    aliases: [cert_file]
  client_key:
    description: "Client key file. Can also be specified via E(K8S_AUTH_KEY_FILE)."
    type: path
    aliases: [key_file]
  proxy:
    description: "HTTP proxy URL for API requests. Can also be specified via E(K8S_AUTH_PROXY)."
    type: str
  no_proxy:
    description: "Comma-separated hosts that bypass O(proxy). Can also be specified via E(K8S_AUTH_NO_PROXY)."
    type: str
requirements:
  - kubernetes >= 24.2.0 (Python library)
notes:
  - The options mirror M(kubernetes.core.k8s), so a C(module_defaults) group can set them once for both collections.
'''

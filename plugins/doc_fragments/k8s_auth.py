# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    # How our modules reach the Kubernetes API. The options and their environment variables are those of
    # kubernetes.core (our modules hand them to its client), documented here so that the documentation loads
    # from this collection alone, as Galaxy's importer loads it. tests/unit/test_k8s_auth_fragment.py fails
    # when this text and kubernetes.core's argument spec or its client's environment variables drift apart.
    DOCUMENTATION = r'''
options:
  kubeconfig:
    description:
      - The client configuration. A path to a kubeconfig file, several paths joined with C(:), or the
        configuration itself as a mapping (read from a vault or a credential, for example).
      - Without it, and without O(host), the client reads C(~/.kube/config).
      - Taken from E(K8S_AUTH_KUBECONFIG) when not set.
    type: raw
  context:
    description:
      - The kubeconfig context to use instead of the current one.
      - Taken from E(K8S_AUTH_CONTEXT) when not set.
    type: str
  host:
    description:
      - URL of the Kubernetes API server, for a connection without a kubeconfig.
      - Taken from E(K8S_AUTH_HOST) when not set (AWX's Kubernetes bearer token credential sets it).
    type: str
  api_key:
    description:
      - Bearer token sent to the API server, a ServiceAccount token for example.
      - Taken from E(K8S_AUTH_API_KEY) when not set (AWX's Kubernetes bearer token credential sets it).
    type: str
  username:
    description:
      - User name for HTTP basic authentication, for API servers that still accept it.
      - Taken from E(K8S_AUTH_USERNAME) when not set.
    type: str
  password:
    description:
      - Password for HTTP basic authentication, with O(username).
      - Taken from E(K8S_AUTH_PASSWORD) when not set.
    type: str
  validate_certs:
    description:
      - Whether the API server's TLS certificate must be valid. Leave it on outside throw-away test clusters.
      - Taken from E(K8S_AUTH_VALIDATE_CERTS) or E(K8S_AUTH_VERIFY_SSL) when not set.
    type: bool
    aliases: [verify_ssl]
  ca_cert:
    description:
      - Path of the certificate authority bundle that signed the API server's certificate.
      - Taken from E(K8S_AUTH_CA_CERT) or E(K8S_AUTH_SSL_CA_CERT) when not set (AWX writes the credential's CA to a
        file and sets the latter).
    type: path
    aliases: [ssl_ca_cert]
  client_cert:
    description:
      - Path of a client certificate to authenticate with, together with O(client_key).
      - Taken from E(K8S_AUTH_CLIENT_CERT) or E(K8S_AUTH_CERT_FILE) when not set.
    type: path
    aliases: [cert_file]
  client_key:
    description:
      - Path of the private key of O(client_cert).
      - Taken from E(K8S_AUTH_CLIENT_KEY) or E(K8S_AUTH_KEY_FILE) when not set.
    type: path
    aliases: [key_file]
  proxy:
    description:
      - URL of an HTTP proxy to reach the API server through.
      - Taken from E(K8S_AUTH_PROXY) when not set.
    type: str
  no_proxy:
    description:
      - Comma-separated hosts, domains or networks reached without O(proxy).
      - Taken from E(K8S_AUTH_NO_PROXY) when not set.
    type: str
  proxy_headers:
    description:
      - Headers sent to O(proxy).
    type: dict
    suboptions:
      proxy_basic_auth:
        description:
          - C(user:password) for the proxy's basic authentication.
          - Taken from E(K8S_AUTH_PROXY_HEADERS_PROXY_BASIC_AUTH) when not set.
        type: str
      basic_auth:
        description:
          - C(user:password) sent to the proxy in an C(Authorization) header.
          - Taken from E(K8S_AUTH_PROXY_HEADERS_BASIC_AUTH) when not set.
        type: str
      user_agent:
        description:
          - The C(User-Agent) header.
          - Taken from E(K8S_AUTH_PROXY_HEADERS_USER_AGENT) when not set.
        type: str
  persist_config:
    description:
      - Write tokens the client refreshes (an OIDC provider's, for example) back into the kubeconfig file, so the
        next task does not refresh them again.
      - Taken from E(K8S_AUTH_PERSIST_CONFIG) when not set.
    type: bool
  impersonate_user:
    description:
      - Act as this user, a ServiceAccount being C(system:serviceaccount:<namespace>:<name>). The API server then
        grants that user's rights only; the credential in use needs the right to impersonate.
      - Taken from E(K8S_AUTH_IMPERSONATE_USER) when not set.
    type: str
  impersonate_groups:
    description:
      - Groups to act as, with O(impersonate_user).
      - Taken from E(K8S_AUTH_IMPERSONATE_GROUPS) when not set, as a comma-separated list.
    type: list
    elements: str
'''

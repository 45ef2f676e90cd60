# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: connection options shared by every module.

Same vocabulary as kubernetes.core, and every option falls back to the K8S_AUTH_* environment
variable AWX credentials inject (K8S_AUTH_HOST, K8S_AUTH_API_KEY, K8S_AUTH_VERIFY_SSL, ...).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible.module_utils.basic import env_fallback


def _env(name):
    return (env_fallback, ['K8S_AUTH_%s' % name])


AUTH_ARG_SPEC = dict(
    kubeconfig=dict(type='raw', fallback=_env('KUBECONFIG')),
    context=dict(type='str', fallback=_env('CONTEXT')),
    host=dict(type='str', fallback=_env('HOST')),
    api_key=dict(type='str', no_log=True, fallback=_env('API_KEY')),
    username=dict(type='str', fallback=_env('USERNAME')),
    password=dict(type='str', no_log=True, fallback=_env('PASSWORD')),
    validate_certs=dict(type='bool', aliases=['verify_ssl'], fallback=_env('VERIFY_SSL')),
    ca_cert=dict(type='path', aliases=['ssl_ca_cert'], fallback=_env('SSL_CA_CERT')),
    client_cert=dict(type='path', aliases=['cert_file'], fallback=_env('CERT_FILE')),
    client_key=dict(type='path', aliases=['key_file'], no_log=False, fallback=_env('KEY_FILE')),
    proxy=dict(type='str', fallback=_env('PROXY')),
    no_proxy=dict(type='str', fallback=_env('NO_PROXY')),
)

WAIT_ARG_SPEC = dict(
    wait=dict(type='bool', default=True),
    wait_timeout=dict(type='int', default=300),
)


def auth_spec():
    return copy.deepcopy(AUTH_ARG_SPEC)


def kubeconfig_secrets(kubeconfig):
    """Every credential string of an in-memory kubeconfig, to add to the module's no_log values."""
    found = set()
    if not isinstance(kubeconfig, dict):
        return found
    for user in kubeconfig.get('users') or []:
        for key, value in ((user or {}).get('user') or {}).items():
            if key in ('token', 'password', 'client-key-data', 'client-certificate-data') and isinstance(value, str):
                found.add(value)
    return found

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: the Kubernetes client, built by kubernetes.core from the connection options.

So every option behaves exactly as in kubernetes.core.k8s: K8S_AUTH_* fallbacks, in-memory kubeconfig,
impersonation (impersonate_user, impersonate_groups), proxy, no_proxy, proxy_headers, persist_config.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import traceback

from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.exceptions import CoreException
    HAS_KUBERNETES = True
    KUBERNETES_IMPORT_ERROR = None
except ImportError:
    HAS_KUBERNETES = False
    KUBERNETES_IMPORT_ERROR = traceback.format_exc()


def _api(params):
    if not HAS_KUBERNETES:
        raise DaprSharedError('the Python library "kubernetes" (and the collection kubernetes.core) is required on the '
                              'host that runs this module (pip install kubernetes)', exception=KUBERNETES_IMPORT_ERROR)
    auth = dict((key, params.get(key)) for key in AUTH_ARG_SPEC)
    try:
        return get_api_client(**auth)
    except CoreException as exc:
        raise DaprSharedError('cannot load Kubernetes credentials (kubeconfig=%s, context=%s): %s'
                              % ('<in-memory>' if isinstance(params.get('kubeconfig'), dict) else params.get('kubeconfig'),
                                 params.get('context'), exc))
    except Exception as exc:  # the kubernetes library raises several unrelated types here
        raise DaprSharedError('cannot reach the Kubernetes API: %s' % exc)


def dynamic_client(params):
    """kubernetes.core's DynamicClient for the given module params."""
    return _api(params).client


def connection(params):
    """What the module's client sends, and to where: the input of _helm_connection.kubeconfig(). The
    client kubernetes.core builds (and caches) for these params is the one read: every source of its
    settings counts (options, K8S_AUTH_* variables, kubeconfig file or dict and context, in-cluster).
    Files the client was given (CA, client certificate and key, possibly temporary ones written by the
    kubeconfig loader) are read now, while they exist."""
    k8s = _api(params)
    config = k8s.configuration
    try:
        authorization = config.get_api_key_with_prefix('authorization')  # runs a refresh hook (exec, oidc) first
    except Exception as exc:
        raise DaprSharedError('cannot read the Kubernetes credentials for Helm: %s' % exc)
    conn = dict(host=config.host, verify_ssl=config.verify_ssl, authorization=authorization,
                tls_server_name=getattr(config, 'tls_server_name', None), proxy=config.proxy,
                no_proxy=getattr(config, 'no_proxy', None), proxy_headers=config.proxy_headers,
                impersonate_groups=[], other_headers=[])
    for field, path in (('ca_data', config.ssl_ca_cert), ('cert_data', config.cert_file), ('key_data', config.key_file)):
        if path:
            try:
                with open(path, 'rb') as source:
                    conn[field] = source.read()
            except (IOError, OSError) as exc:
                raise DaprSharedError('cannot read %s for Helm: %s' % (path, exc))
    for name, value in (getattr(k8s.client.client, 'default_headers', None) or {}).items():
        header = str(name).lower()
        if header == 'impersonate-user':
            conn['impersonate_user'] = value
        elif header == 'impersonate-group':
            conn['impersonate_groups'].append(value)
        elif header != 'user-agent':
            conn['other_headers'].append(str(name))
    return conn

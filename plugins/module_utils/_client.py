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


def dynamic_client(params):
    """kubernetes.core's DynamicClient for the given module params."""
    if not HAS_KUBERNETES:
        raise DaprSharedError('the Python library "kubernetes" (and the collection kubernetes.core) is required on the '
                              'host that runs this module (pip install kubernetes)', exception=KUBERNETES_IMPORT_ERROR)
    auth = dict((key, params.get(key)) for key in AUTH_ARG_SPEC)
    try:
        return get_api_client(**auth).client
    except CoreException as exc:
        raise DaprSharedError('cannot load Kubernetes credentials (kubeconfig=%s, context=%s): %s'
                              % ('<in-memory>' if isinstance(params.get('kubeconfig'), dict) else params.get('kubeconfig'),
                                 params.get('context'), exc))
    except Exception as exc:  # the kubernetes library raises several unrelated types here
        raise DaprSharedError('cannot reach the Kubernetes API: %s' % exc)

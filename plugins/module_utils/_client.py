# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: build a Kubernetes dynamic client from the connection options."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import traceback

from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError

try:
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config
    from kubernetes.dynamic import DynamicClient
    HAS_KUBERNETES = True
    KUBERNETES_IMPORT_ERROR = None
except ImportError:
    HAS_KUBERNETES = False
    KUBERNETES_IMPORT_ERROR = traceback.format_exc()


def _load_base(configuration, params):
    kubeconfig = params.get('kubeconfig')
    context = params.get('context')
    if isinstance(kubeconfig, dict):
        k8s_config.load_kube_config_from_dict(kubeconfig, context=context, client_configuration=configuration)
        return
    if kubeconfig:
        # A path, or several joined with os.pathsep (merged like kubectl does).
        k8s_config.load_kube_config(config_file=str(kubeconfig), context=context, client_configuration=configuration)
        return
    if params.get('host'):
        return  # fully described by host + credentials
    if os.environ.get('KUBERNETES_SERVICE_HOST') and not os.path.exists(os.path.expanduser('~/.kube/config')):
        k8s_config.load_incluster_config(client_configuration=configuration)
        return
    k8s_config.load_kube_config(context=context, client_configuration=configuration)


def dynamic_client(params):
    """A DynamicClient for the given module params (kubernetes.core's option names)."""
    if not HAS_KUBERNETES:
        raise DaprSharedError('the Python library "kubernetes" is required on the host that runs this module '
                              '(pip install kubernetes)', exception=KUBERNETES_IMPORT_ERROR)
    configuration = k8s_client.Configuration()
    try:
        _load_base(configuration, params)
    except Exception as exc:  # the kubernetes library raises several unrelated types here
        raise DaprSharedError('cannot load Kubernetes credentials (kubeconfig=%s, context=%s): %s'
                              % ('<in-memory>' if isinstance(params.get('kubeconfig'), dict) else params.get('kubeconfig'),
                                 params.get('context'), exc))
    if params.get('host'):
        configuration.host = params['host']
    if params.get('api_key'):
        configuration.api_key = {'authorization': 'Bearer %s' % params['api_key']}
    if params.get('username'):
        configuration.username = params['username']
    if params.get('password'):
        configuration.password = params['password']
    if params.get('validate_certs') is not None:
        configuration.verify_ssl = params['validate_certs']
    if params.get('ca_cert'):
        configuration.ssl_ca_cert = params['ca_cert']
    if params.get('client_cert'):
        configuration.cert_file = params['client_cert']
    if params.get('client_key'):
        configuration.key_file = params['client_key']
    if params.get('proxy'):
        configuration.proxy = params['proxy']
    if params.get('no_proxy'):
        configuration.no_proxy = params['no_proxy']
    try:
        return DynamicClient(k8s_client.ApiClient(configuration))
    except Exception as exc:
        raise DaprSharedError('cannot reach the Kubernetes API at %s: %s' % (configuration.host, exc))

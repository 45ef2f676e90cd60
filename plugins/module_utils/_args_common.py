# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: connection options shared by every module.

They are kubernetes.core's own (a declared dependency): the same names, the same K8S_AUTH_*
environment variables AWX credentials inject, impersonation, proxies and persist_config included.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC

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

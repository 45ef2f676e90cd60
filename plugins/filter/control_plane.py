# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the daprkit.dapr.dapr_control_plane role uses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from collections.abc import Mapping

from ansible.errors import AnsibleFilterError

from ansible_collections.daprkit.dapr.plugins.module_utils import _versions as VS

# The role variable that lets an upgrade skipping a minor version through (roles/dapr_control_plane).
UPGRADE_OVERRIDE = 'dapr_control_plane_allow_unsupported_upgrade'

# The chart ships the Subscription CRD's conversion webhook pointing at this placeholder namespace;
# the operator patches in its own namespace when it starts. Re-applying the CRD as shipped would
# break every v1alpha1 <-> v2alpha1 conversion until the operator restarts.
CHART_PLACEHOLDER_NAMESPACE = 'replaceme'


def _plain(value):
    """A copy made of plain dicts and lists. Not copy.deepcopy: from ansible-core 2.19 on, the containers a
    template hands to a filter are lazy, and deep-copying one copies its templar (and with it the plugin
    loaders, which ansible-core 2.21 reports as deprecated)."""
    if isinstance(value, Mapping):
        return dict((key, _plain(item)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def control_plane_crds(crds, namespace):
    """The chart's CRDs as they must be applied: conversion webhooks aimed at the control plane's namespace.

    Leaves every other field as shipped; never sets caBundle (the operator owns it).
    """
    if not isinstance(crds, list):
        raise AnsibleFilterError('control_plane_crds expects a list of CRDs, got %s' % type(crds).__name__)
    if not namespace:
        raise AnsibleFilterError('control_plane_crds needs the control plane namespace')
    result = []
    for crd in crds:
        crd = _plain(crd)
        service = (((crd.get('spec') or {}).get('conversion') or {}).get('webhook') or {}).get('clientConfig', {}).get('service')
        if isinstance(service, dict) and service.get('namespace') in (None, '', CHART_PLACEHOLDER_NAMESPACE):
            service['namespace'] = namespace
        result.append(crd)
    return result


def control_plane_upgrade(control_planes, namespace, requested, allow_unsupported=False):
    """Whether Dapr supports moving the control plane running in `namespace` to `requested`.

    control_planes: what daprkit.dapr.dapr_shared_info returns as control_planes (namespace, version).
    Returns dict(allowed, message, warning, running, requested); the policy is module_utils/_versions.py's.
    """
    if not isinstance(control_planes, list):
        raise AnsibleFilterError('control_plane_upgrade expects the list of control planes dapr_shared_info returns, '
                                 'got %s' % type(control_planes).__name__)
    running = next((cp.get('version') or '' for cp in control_planes
                    if isinstance(cp, Mapping) and cp.get('namespace') == namespace), '')
    return VS.control_plane_upgrade(running, str(requested or ''), bool(allow_unsupported), override=UPGRADE_OVERRIDE)


class FilterModule(object):
    def filters(self):
        return dict(control_plane_crds=control_plane_crds, control_plane_upgrade=control_plane_upgrade)

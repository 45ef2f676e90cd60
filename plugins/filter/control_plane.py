# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters the daprkit.dapr.dapr_control_plane role uses."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

from ansible.errors import AnsibleFilterError

# The chart ships the Subscription CRD's conversion webhook pointing at this placeholder namespace;
# the operator patches in its own namespace when it starts. Re-applying the CRD as shipped would
# break every v1alpha1 <-> v2alpha1 conversion until the operator restarts.
CHART_PLACEHOLDER_NAMESPACE = 'replaceme'


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
        crd = copy.deepcopy(crd)
        service = (((crd.get('spec') or {}).get('conversion') or {}).get('webhook') or {}).get('clientConfig', {}).get('service')
        if isinstance(service, dict) and service.get('namespace') in (None, '', CHART_PLACEHOLDER_NAMESPACE):
            service['namespace'] = namespace
        result.append(crd)
    return result


class FilterModule(object):
    def filters(self):
        return dict(control_plane_crds=control_plane_crds)

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Filters of the daprkit.dapr.dapr_shared role and of playbooks; thin wrappers over the pure module_utils."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


from ansible.errors import AnsibleFilterError

from ansible_collections.daprkit.dapr.plugins.module_utils import _info as I
from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils import _validate as V


def _check_list(instances):
    if not isinstance(instances, list):
        raise AnsibleFilterError('dapr_shared_instances must be a list, got %s' % type(instances).__name__)


def _with_role_values(instances, defaults, state=''):
    """The instances with the role-level values: defaults where an instance does not set the field (empty values
    are ignored), and state, when set, over every instance. Nothing else is added or checked."""
    defaults = dict((k, v) for k, v in (defaults or {}).items() if v not in (None, ''))
    result = []
    for raw in instances:
        if not isinstance(raw, dict):
            result.append(raw)  # the module names it
            continue
        merged = dict(defaults)
        merged.update(dict((k, v) for k, v in raw.items() if not (k == 'method' and v in ('', None))))
        if state:
            merged['state'] = state
        result.append(merged)
    return result


def shared_instances(instances, defaults=None):
    """For playbooks: the instances as the module sees them. Role-level defaults, then the schema's, and every
    instance validated, failing with ALL problems at once.

    defaults: values applied where an instance does not set the field (empty values are ignored).
    """
    _check_list(instances)
    problems = []
    for key, value in (defaults or {}).items():
        choices = SC.FIELDS[key].choices
        if value not in (None, '') and choices and value not in choices:
            problems.append('dapr_shared_%s must be one of %s, got %r' % (key, ', '.join(choices), value))
    result = [SC.apply_defaults(raw) if isinstance(raw, dict) else raw
              for raw in _with_role_values(instances, defaults)]
    problems.extend(V.validate_instances(result))
    if problems:
        raise AnsibleFilterError('invalid dapr_shared_instances:\n- ' + '\n- '.join(problems))
    return result


def shared_role_instances(instances, defaults=None, state=''):
    """What the dapr_shared role hands to the module: the user's instances with only the role-level values
    (defaults, state). The schema's defaults and the validation are the module's: they run once, there, before any
    change."""
    _check_list(instances)
    return _with_role_values(instances, defaults, state)


def shared_names(app_id, method='manifests', namespace='', cluster_domain='cluster.local'):
    """Every object name, port and (given the namespace) address of an instance, for playbooks and tests
    that must not spell one."""
    result = N.names(app_id, method)
    result.update(selector=N.label_selector(N.selector_labels(app_id, method)), http_port=N.HTTP_PORT,
                  grpc_port=N.GRPC_PORT, internal_grpc_port=N.INTERNAL_GRPC_PORT)
    if namespace:
        endpoints = N.endpoints(app_id, namespace, cluster_domain)
        result.update(host=N.service_host(app_id, namespace, cluster_domain),
                      DAPR_HTTP_ENDPOINT=endpoints['DAPR_HTTP_ENDPOINT'],
                      DAPR_GRPC_ENDPOINT=endpoints['DAPR_GRPC_ENDPOINT'])
    return result


def fleet_table(clusters):
    """One table over many clusters: per instance its cluster, strategy, daprd version, readiness per node and
    whether its trust anchors are current. `clusters`: {cluster: dapr_shared_info's instances, or why not read}."""
    if not isinstance(clusters, dict):
        raise AnsibleFilterError('fleet_table takes a dict of cluster name to instances, got %s' % type(clusters).__name__)
    return I.fleet_table(dict((str(name), found if isinstance(found, (list, str)) else list(found))
                              for name, found in clusters.items()))


class FilterModule(object):
    def filters(self):
        return dict(shared_instances=shared_instances, shared_role_instances=shared_role_instances,
                    shared_names=shared_names, fleet_table=fleet_table)

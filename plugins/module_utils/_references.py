# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: the objects an instance names but does not own, checked to exist before any change.

A missing one would otherwise be found only after the change, late and without its cause: a missing PriorityClass
or pull Secret leaves the workload without pods until the wait times out, a missing Configuration crash-loops daprd.
What to check is pure (references); reading goes through a reader with get(api_version, kind, name, namespace),
None when absent, a DaprSharedError with status 403 when the run may not read it (check).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import ApiUnreachable, DaprSharedError, InvalidInstance
from ansible_collections.daprkit.dapr.plugins.module_utils._parallel import Failed, each


class Reference(object):
    """One object an instance field names. proof: another object whose presence shows this one exists, read when
    this one may not be read (the control-plane namespace: a namespaced token reads its trust bundle, not it)."""

    def __init__(self, field, api_version, kind, name, namespace=None, right=None, proof=None):
        self.field = field
        self.api_version = api_version
        self.kind = kind
        self.name = name
        self.namespace = namespace
        self.right = right  # the right a read needs, as RBAC names it
        self.proof = proof

    def key(self):
        return (self.api_version, self.kind, self.namespace, self.name)

    def what(self):
        return '%s %s' % (self.kind, '%s/%s' % (self.namespace, self.name) if self.namespace else self.name)


def _secret(field, name, namespace):
    return Reference(field, 'v1', 'Secret', name, namespace, 'get secrets in namespace %s' % namespace)


def references(instance):
    """What a present instance names and expects to exist. A token Secret named in secret_name is the user's (read,
    never changed); without secret_name the module creates it, so it is not a reference."""
    if instance['state'] != 'present':
        return []
    namespace = instance['namespace']
    found = []
    cp_namespace = instance['control_plane_namespace']
    if cp_namespace:  # empty: detected, and a cluster without a control plane is refused by name
        found.append(Reference('control_plane_namespace', 'v1', 'Namespace', cp_namespace,
                               right='get namespaces/%s' % cp_namespace,
                               proof=Reference('control_plane_namespace', 'v1', 'ConfigMap', N.TRUST_BUNDLE, cp_namespace)))
    if instance['config']:
        found.append(Reference('config', 'dapr.io/v1alpha1', 'Configuration', instance['config'], namespace,
                               'get configurations.dapr.io in namespace %s' % namespace))
    if instance['priority_class_name']:
        found.append(Reference('priority_class_name', 'scheduling.k8s.io/v1', 'PriorityClass',
                               instance['priority_class_name'],
                               right='get priorityclasses.scheduling.k8s.io (cluster-scoped: a ClusterRole)'))
    for index, name in enumerate(instance['image_pull_secrets'] or []):
        found.append(_secret('image_pull_secrets[%d]' % index, name, namespace))
    for field, _env, _suffix, _annotation in N.TOKEN_FIELDS:
        token = instance[field]
        if token['enabled'] and token['secret_name']:
            found.append(_secret('%s.secret_name' % field, token['secret_name'], namespace))
    return found


def _forbidden(answer):
    return isinstance(answer, DaprSharedError) and not isinstance(answer, ApiUnreachable) \
        and answer.details.get('status') == 403


def _read(reader, ref):
    """True (exists), False (absent) or 'forbidden'."""
    try:
        return reader.get(ref.api_version, ref.kind, ref.name, ref.namespace) is not None
    except DaprSharedError as exc:
        if _forbidden(exc):
            return 'forbidden'
        raise


def _exists(reader, ref):
    answer = _read(reader, ref)
    if answer == 'forbidden' and ref.proof is not None and _read(reader, ref.proof) is True:
        return True
    return answer


def check(pairs, reader):
    """(problems, warnings) for pairs of (where, instance): each missing object named with the instance and the
    field, each that may not be read with the right it needs. Every object is read once, all together."""
    wanted = [(where, ref) for where, instance in pairs for ref in references(instance)]
    unique = sorted(set(ref.key() for _w, ref in wanted))
    by_key = dict((ref.key(), ref) for _w, ref in wanted)
    answers = dict(zip(unique, each(lambda key: _exists(reader, by_key[key]), unique, keep_errors=True)))
    problems, warnings = [], []
    for where, ref in wanted:
        answer = answers[ref.key()]
        if isinstance(answer, Failed):
            raise answer.error
        if answer is False:
            problems.append('%s: %s: %s does not exist; create it first, or correct or remove %s'
                            % (where, ref.field, ref.what(), ref.field))
        elif answer == 'forbidden':
            warnings.append('%s: %s: cannot check that %s exists: this run lacks the right %s; going on without '
                            'the check' % (where, ref.field, ref.what(), ref.right))
    return problems, warnings


def refuse_missing(pairs, reader, warn):
    """check(), its warnings through warn, its problems raised all at once (InvalidInstance)."""
    problems, warnings = check(pairs, reader)
    for warning in warnings:
        warn(warning)
    if problems:
        raise InvalidInstance(problems)

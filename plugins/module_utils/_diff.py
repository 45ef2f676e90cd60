# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: compare objects as a user sees them.

Server-managed fields are dropped before comparing, Secret values are masked, and one
DifferenceTracker feeds both `changed` and the `diff` return.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

HIDDEN = '<hidden>'
_SERVER_METADATA = ('uid', 'resourceVersion', 'generation', 'creationTimestamp', 'managedFields',
                    'selfLink', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'ownerReferences', 'finalizers')
_SERVER_ANNOTATIONS = ('deprecated.daemonset.template.generation', 'deployment.kubernetes.io/revision',
                       'kubectl.kubernetes.io/last-applied-configuration')


def object_key(obj):
    meta = obj.get('metadata') or {}
    return (obj.get('apiVersion'), obj.get('kind'), meta.get('namespace') or '', meta.get('name'))


def describe(obj):
    meta = obj.get('metadata') or {}
    if meta.get('namespace'):
        return '%s %s/%s' % (obj.get('kind'), meta['namespace'], meta.get('name'))
    return '%s %s' % (obj.get('kind'), meta.get('name'))


def normalize(obj):
    """A copy without status and server-managed metadata, with Secret data masked."""
    if obj is None:
        return None
    out = copy.deepcopy(obj)
    out.pop('status', None)
    meta = out.get('metadata') or {}
    for key in _SERVER_METADATA:
        meta.pop(key, None)
    annotations = meta.get('annotations') or {}
    for key in _SERVER_ANNOTATIONS:
        annotations.pop(key, None)
    if 'annotations' in meta and not annotations:
        meta.pop('annotations')
    if out.get('kind') == 'Secret':
        for field in ('data', 'stringData'):
            if out.get(field):
                out[field] = dict((k, HIDDEN) for k in out[field])
    return out


def secret_values_differ(before, after):
    """Secrets are masked in normalize(); compare their real values separately."""
    if (before or {}).get('kind') != 'Secret' or (after or {}).get('kind') != 'Secret':
        return False
    return (before.get('data') or {}) != (after.get('data') or {})


class DifferenceTracker(object):
    """Collects per-object before/after; `changed` and `diff` both come from it."""

    def __init__(self):
        self._entries = []

    def record(self, action, before, after):
        """action: created | updated | deleted | unchanged."""
        self._entries.append(dict(action=action, before=normalize(before), after=normalize(after),
                                  name=describe(after if after is not None else before)))

    @property
    def changed(self):
        return any(e['action'] != 'unchanged' for e in self._entries)

    def actions(self):
        return [dict(object=e['name'], action=e['action']) for e in self._entries]

    def diff(self):
        changed = [e for e in self._entries if e['action'] != 'unchanged']
        return dict(
            before=dict((e['name'], e['before']) for e in changed if e['before'] is not None),
            after=dict((e['name'], e['after']) for e in changed if e['after'] is not None),
        )


def compare(before, after):
    """Return 'created', 'updated' or 'unchanged' for a server object before and after an apply."""
    if before is None:
        return 'created'
    if normalize(before) != normalize(after) or secret_values_differ(before, after):
        return 'updated'
    return 'unchanged'

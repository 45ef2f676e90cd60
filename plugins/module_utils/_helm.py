# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: what the helm backend hands to Helm for one instance. Pure.

The release is the official dapr-shared chart (v0.0.16 layout). Its values carry every field the chart
has a value for (the fields' chart= declarations in _schema.py), so that `helm get values` shows them;
the others live only in the post-render plan, whose digest the values carry too. The post-renderer
(_post_render.py) then puts the collection's own rendering of each object under the chart's names,
which is how every upstream defect is fixed rather than inherited (see the README's table):
Sentry and the operator on 443, the scheduler flag, any control-plane namespace, only ca.crt outside
the control plane, no cluster-wide RBAC, internalTrafficPolicy Local, the hardened pod, TCP liveness,
NetworkPolicy, resources, priorityClass, labels, and an uninstall without hooks.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import gzip
import hashlib
import inspect
import json
import re

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N
from ansible_collections.daprkit.dapr.plugins.module_utils import _post_render
from ansible_collections.daprkit.dapr.plugins.module_utils import _schema as SC
from ansible_collections.daprkit.dapr.plugins.module_utils._errors import DaprSharedError
from ansible_collections.daprkit.dapr.plugins.module_utils._render import dapr_config, is_token_secret

# Kinds the chart renders (besides what the post-renderer drops) that the collection replaces.
CHART_KINDS = ('ServiceAccount', 'DaemonSet', 'Deployment', 'Service')
# The values key the chart ignores and the collection uses so that a change of the post-rendered
# objects is a change of the release's values (kubernetes.core.helm compares values to decide).
PLAN_VALUES_KEY = 'daprkit'


# A chart value no field carries: the chart's token stays empty (the token lives in the collection's
# Secret, out of Helm's history).
CHART_CONSTANTS = {'shared.daprd.token': ''}


def _as_run(instance, cp, version):
    """The instance with what the run resolved in place of every field whose empty value means derived, so
    that the chart values say what daprd gets: the control plane's namespace, trust domain and mTLS, the
    daprd version, the addresses and the Dapr Configuration."""
    addresses = N.resolve_addresses(instance, cp.namespace)
    return dict(instance, control_plane_namespace=cp.namespace, control_plane_trust_domain=cp.trust_domain,
                mtls='enabled' if cp.mtls else 'disabled', daprd_version=version.lstrip('v'),
                sentry_address=addresses['sentry'], operator_address=addresses['operator'],
                placement_address=addresses['placement'], scheduler_address=addresses['scheduler'],
                config=dapr_config(instance))


def _field_value(instance, dotted):
    value = instance
    for part in dotted.split('.'):
        value = value[part]
    return value


def _put(values, path, value):
    parts = path.split('.')
    for part in parts[:-1]:
        values = values.setdefault(part, {})
    values[parts[-1]] = value


def chart_values(instance, cp, version):
    """The instance in the chart's own terms: every field the chart has a value for (its chart= declaration
    in _schema.py), so that `helm get values` shows them. The post-renderer makes the objects exact."""
    run = _as_run(instance, cp, version)
    values = {}
    for dotted, field in SC.walk():
        for chart_value in field.chart_values():
            _put(values, chart_value.path, chart_value.of(_field_value(run, dotted), run))
    for path, value in CHART_CONSTANTS.items():
        _put(values, path, value)
    return values


def release_plan(objects):
    """What the post-renderer needs: every rendered object but the token Secrets (kept out of the release)."""
    plan = []
    for obj in objects:
        if is_token_secret(obj):
            continue
        entry = json.loads(json.dumps(obj))
        if obj['kind'] in CHART_KINDS:
            entry['_from_chart'] = True
        plan.append(entry)
    return dict(objects=plan)


def post_renderer_digest():
    """Digest of the post-renderer's code: when what it makes of a plan changes, the values change too, and
    kubernetes.core.helm upgrades the release instead of calling it unchanged."""
    try:
        source = inspect.getsource(_post_render)
    except (OSError, TypeError):  # no source to read (never seen; the release then upgrades only on plan changes)
        return ''
    return hashlib.sha256(source.encode('utf-8')).hexdigest()[:20]


def plan_digest(plan):
    return hashlib.sha256(json.dumps(plan, sort_keys=True).encode('utf-8')).hexdigest()[:20]


def release(instance, cp, version, objects, chart):
    """kubernetes.core.helm arguments (without connection options) and the post-render plan.

    chart: dict(ref, version, plain_http).
    """
    plan = release_plan(objects)
    values = chart_values(instance, cp, version)
    values[PLAN_VALUES_KEY] = dict(plan=plan_digest(plan), post_renderer=post_renderer_digest())
    args = dict(name=N.names(instance['app_id'], 'helm')['helm_release'], release_namespace=instance['namespace'],
                chart_ref=chart['ref'], chart_version=chart['version'], release_values=values)
    if chart.get('plain_http'):
        # only when asked: plain_http exists from kubernetes.core 6.1.0 on
        args['plain_http'] = True
    return dict(args=args, plan=plan)


def decode_release(record):
    """What Helm keeps of a release revision in its storage object: status, chart name and version, and the
    user-supplied values. data.release is gzipped JSON in base64, which a Secret's data encodes once more
    (driver secret) and a ConfigMap's data holds as is (driver configmap). Unreadable: status 'unknown'."""
    try:
        raw = (record.get('data') or {})['release']
        if record.get('kind', 'Secret') == 'Secret':
            raw = base64.b64decode(raw)
        raw = base64.b64decode(raw)
        if raw[:2] == b'\x1f\x8b':
            raw = gzip.decompress(raw)
        record = json.loads(raw.decode('utf-8'))
        metadata = (record.get('chart') or {}).get('metadata') or {}
        return dict(status=(record.get('info') or {}).get('status'), chart_name=metadata.get('name'),
                    chart_version=metadata.get('version'), values=record.get('config') or {},
                    revision=record.get('version'))
    except (KeyError, TypeError, ValueError, OSError):
        return dict(status='unknown')


def release_unchanged(current, args):
    """True when the deployed revision already is what release() asks for (the chart and its version, and
    values that carry the post-render plan's digest): the same test kubernetes.core.helm makes, made here
    so that a run with nothing to do needs neither that module nor Helm."""
    if not current or current.get('status') != 'deployed':
        return False
    return (current.get('chart_name') == N.HELM_CHART_NAME and current.get('chart_version') == args['chart_version']
            and _canonical(current.get('values')) == _canonical(args['release_values']))


def _canonical(values):
    return json.dumps(values, sort_keys=True)


# -- the helm program and its storage, as found on the host that runs the module -------------------

HELM_MINIMUM = (3, 13)
# HELM_DRIVER -> the kind of the objects in which Helm keeps its releases (Helm's own spellings)
STORAGE_DRIVERS = {'': 'Secret', 'secret': 'Secret', 'secrets': 'Secret',
                   'configmap': 'ConfigMap', 'configmaps': 'ConfigMap'}


def helm_version(output):
    """(major, minor, patch, text) from the output of `helm version` (full or --short); None if unreadable.
    A build without version stamping says "v4.3": patch 0."""
    match = re.search(r'Version:"(v?(\d+)\.(\d+)(?:\.(\d+))?[^"]*)"', output or '') or \
        re.match(r'\s*(v?(\d+)\.(\d+)(?:\.(\d+))?\S*)', output or '')
    if not match:
        return None
    return int(match.group(2)), int(match.group(3)), int(match.group(4) or 0), match.group(1)


def helm_program(output, binary='helm'):
    """What the helm backend knows of the helm it runs: its version and how it takes a post-renderer
    (Helm 3: the path of an executable; Helm 4: the name of a postrenderer/v1 plugin). Refuses a helm
    below 3.13 (--plain-http, and the version the backend is tested with), naming what it found."""
    found = helm_version(output)
    if found is None:
        raise DaprSharedError('method helm: cannot tell the version of %s from `helm version`: %r; helm 3.13 or '
                              'later (Helm 3 or 4) is required' % (binary, (output or '').strip()[:200]))
    if found[:2] < HELM_MINIMUM:
        raise DaprSharedError('method helm: %s is helm %s; helm 3.13 or later (Helm 3 or 4) is required'
                              % (binary, found[3]))
    if found[0] > 4:
        raise DaprSharedError('method helm: %s is helm %s; this collection supports Helm 3 (3.13 or later) and '
                              'Helm 4' % (binary, found[3]))
    return dict(binary=binary, version=found[3], major=found[0],
                post_renderer='plugin' if found[0] >= 4 else 'path')


def storage_kind(driver):
    """The kind Helm keeps releases in for HELM_DRIVER; sql and memory (and unknown names) are refused: the
    collection reads releases from the cluster (the no-op shortcut, interrupted operations, ownership)."""
    name = (driver or '').strip().lower()
    if name in STORAGE_DRIVERS:
        return STORAGE_DRIVERS[name]
    why = {'sql': 'keeps releases in a SQL database the collection cannot read',
           'memory': 'keeps releases only in memory, so every run would install again'}.get(
        name, 'is not a storage driver Helm knows')
    raise DaprSharedError('method helm: HELM_DRIVER=%s %s; use HELM_DRIVER=secret (the default) or configmap'
                          % (driver, why))


# -- a release interrupted mid-operation -------------------------------------------------------

PENDING = ('pending-install', 'pending-upgrade', 'pending-rollback')
ONCE_DEPLOYED = ('deployed', 'superseded')


def storage_revisions(records):
    """[(revision, status)] of a release's storage objects, from the labels Helm keeps on them (version,
    status), newest first."""
    out = []
    for record in records:
        labels = (record.get('metadata') or {}).get('labels') or {}
        try:
            out.append((int(labels.get('version') or 0), labels.get('status') or 'unknown'))
        except ValueError:
            out.append((0, labels.get('status') or 'unknown'))
    return sorted(out, reverse=True)


def recovery(revisions):
    """What to do with a release whose newest revision Helm left pending (an install, upgrade or rollback
    interrupted: Helm refuses every later operation with "another operation is in progress"):
    None when it is not pending; else dict(action='rollback', revision=<the newest revision that was
    deployed>) or, when no revision ever was, dict(action='uninstall'); both with pending=<status> and
    pending_revision."""
    if not revisions or revisions[0][1] not in PENDING:
        return None
    pending_revision, status = revisions[0]
    deployed = [r for r, s in revisions[1:] if s == 'deployed'] or [r for r, s in revisions[1:] if s in ONCE_DEPLOYED]
    decision = dict(pending=status, pending_revision=pending_revision)
    if deployed:
        decision.update(action='rollback', revision=max(deployed))
    else:
        decision.update(action='uninstall')
    return decision


def recovery_message(key, decision):
    if decision['action'] == 'rollback':
        return ('instance %s: Helm release left %s at revision %s (an interrupted helm operation); rolled back to '
                'revision %s, the last deployed one, before converging'
                % (key, decision['pending'], decision['pending_revision'], decision['revision']))
    return ('instance %s: Helm release left %s at revision %s (an interrupted helm operation) and never deployed; '
            'uninstalled before installing it again' % (key, decision['pending'], decision['pending_revision']))

# -*- coding: utf-8 -*-
# Copyright: (c) 2026, daprkit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Private to daprkit.dapr: the apps an instance wires (its `apps` field). Pure: no I/O.

Wiring is a server-side apply of a partial object into the app's workload, under a field manager of its
own per instance (never the one of the instance's objects), holding only:

- the workload's annotation naming the instance (for people and for dapr_shared_info);
- the pod template's labels the instance's NetworkPolicy admits (network_policy.client_pod_selector) and
  the API token's hash (a token rotation rolls the app, which then never runs with a stale token);
- in each selected container, DAPR_HTTP_ENDPOINT, DAPR_GRPC_ENDPOINT and, with the token enabled,
  DAPR_API_TOKEN from the token Secret (a copy of it in the app's namespace when that is another one).

Everything else in the workload belongs to whoever applied it and is never sent. The API server combines
the partial object with the existing one (the selector, images and the rest of the template stay as they
are), and removes a field from the workload when its last manager stops applying it: unwiring is the same
apply with nothing in it (empty_intent), under the same manager.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import copy
import hashlib
import json
import re

from ansible_collections.daprkit.dapr.plugins.module_utils import _names as N

KINDS = ('Deployment', 'StatefulSet')
API_VERSION = 'apps/v1'
MANAGER_PREFIX = 'daprkit.dapr-wiring/'
MAX_MANAGER_LENGTH = 128  # the API server refuses longer field managers
ANNOTATION_INSTANCE = 'dapr.daprkit.io/shared-instance'
ANNOTATION_TOKEN_HASH = dict((f, ann) for f, _e, _s, ann in N.TOKEN_FIELDS)['api_token']
ENV_HTTP, ENV_GRPC, ENV_TOKEN = 'DAPR_HTTP_ENDPOINT', 'DAPR_GRPC_ENDPOINT', 'DAPR_API_TOKEN'
# the copies of the token in other namespaces: never managed-by daprkit.dapr, so that no instance of that
# namespace takes them for its own objects
COPY_MANAGED_BY = 'daprkit.dapr-wiring'
LABEL_WIRED_NAMESPACE = 'dapr.daprkit.io/wired-namespace'
LABEL_WIRED_APP_ID = 'dapr.daprkit.io/wired-app-id'
COPY_SELECTOR = N.label_selector({N.LABEL_MANAGED_BY: COPY_MANAGED_BY})

_DNS1123_LABEL = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')
_DNS1123_SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')


def field_manager(namespace, app_id):
    """The field manager of one instance's wiring: two instances never own each other's fields."""
    name = '%s%s/%s' % (MANAGER_PREFIX, namespace, app_id)
    if len(name) <= MAX_MANAGER_LENGTH:
        return name
    return MANAGER_PREFIX + hashlib.sha256(name.encode('utf-8')).hexdigest()[:40]


def manager_of(instance):
    return field_manager(instance['namespace'], instance['app_id'])


def app_namespace(instance, app):
    return app.get('namespace') or instance['namespace']


def admitted_namespaces(instance):
    """The namespaces whose pods the instance's NetworkPolicy admits (its own without a policy)."""
    policy = instance.get('network_policy') or {}
    if policy.get('enabled') and policy.get('client_namespaces'):
        return list(policy['client_namespaces'])
    return [instance['namespace']]


def namespaces(instance):
    """Every namespace the instance may have wired apps in: its own, its clients', its apps'."""
    found = set([instance['namespace']])
    found.update((instance.get('network_policy') or {}).get('client_namespaces') or [])
    found.update(app_namespace(instance, app) for app in instance.get('apps') or [] if isinstance(app, dict))
    return sorted(found)


def copy_name(namespace, app_id):
    """The copy of an instance's API token in an app's namespace. The dots keep it apart from every name an
    instance gives its own objects (an app id is a DNS label)."""
    return '%s.%s.dapr-api-token' % (app_id, namespace)


def workload_key(kind, namespace, name):
    return (kind, namespace, name)


def key_of(obj):
    meta = obj.get('metadata') or {}
    return workload_key(obj.get('kind'), meta.get('namespace'), meta.get('name'))


# -- what wiring wants -----------------------------------------------------------------------------
def expected(instance, token_hash):
    """What a wired app carries, from the declaration (the runner) or from the cluster (dapr_shared_info)."""
    ref = N.token_secret_ref(instance)
    policy = instance.get('network_policy') or {}
    endpoints = N.endpoints(instance['app_id'], instance['namespace'], instance.get('cluster_domain'))
    return dict(namespace=instance['namespace'], app_id=instance['app_id'],
                endpoints={ENV_HTTP: endpoints[ENV_HTTP], ENV_GRPC: endpoints[ENV_GRPC]},
                token_ref=list(ref) if ref else None, token_hash=token_hash if ref else None,
                labels=dict(policy.get('client_pod_selector') or {}) if policy.get('enabled') else {})


def token_ref_in(want, namespace):
    """(Secret, key) an app of `namespace` reads the token from: the instance's, or its copy there."""
    if not want['token_ref']:
        return None
    if namespace == want['namespace']:
        return tuple(want['token_ref'])
    return copy_name(want['namespace'], want['app_id']), want['token_ref'][1]


def env(want, namespace):
    entries = [dict(name=ENV_HTTP, value=want['endpoints'][ENV_HTTP]),
               dict(name=ENV_GRPC, value=want['endpoints'][ENV_GRPC])]
    ref = token_ref_in(want, namespace)
    if ref:
        entries.append(dict(name=ENV_TOKEN, valueFrom=dict(secretKeyRef=dict(name=ref[0], key=ref[1]))))
    return entries


def container_names(workload):
    return [c.get('name') for c in ((((workload.get('spec') or {}).get('template') or {}).get('spec') or {})
                                    .get('containers') or [])]


def patch(kind, namespace, name, containers, want):
    """The partial object wiring applies: only the fields it owns (no selector: the object exists)."""
    template_meta = {}
    if want['labels']:
        template_meta['labels'] = dict(want['labels'])
    if want['token_hash']:
        template_meta['annotations'] = {ANNOTATION_TOKEN_HASH: want['token_hash']}
    template = dict(spec=dict(containers=[dict(name=c, env=env(want, namespace)) for c in containers]))
    if template_meta:
        template['metadata'] = template_meta
    return dict(apiVersion=API_VERSION, kind=kind,
                metadata=dict(name=name, namespace=namespace,
                              annotations={ANNOTATION_INSTANCE: '%s/%s' % (want['namespace'], want['app_id'])}),
                spec=dict(template=template))


def empty_intent(workload):
    """Applied under the same manager, it removes every field that manager alone set."""
    meta = workload['metadata']
    return dict(apiVersion=workload.get('apiVersion') or API_VERSION, kind=workload['kind'],
                metadata=dict(name=meta['name'], namespace=meta['namespace']))


def token_copy(want, namespace, value):
    """The instance's token in an app's namespace (a secretKeyRef never crosses namespaces)."""
    return dict(apiVersion='v1', kind='Secret', type='Opaque',
                metadata=dict(name=copy_name(want['namespace'], want['app_id']), namespace=namespace,
                              labels={N.LABEL_MANAGED_BY: COPY_MANAGED_BY,
                                      LABEL_WIRED_NAMESPACE: want['namespace'], LABEL_WIRED_APP_ID: want['app_id']}),
                data={want['token_ref'][1]: base64.b64encode((value or '').encode('utf-8')).decode('ascii')})


def is_copy_of(secret, namespace, app_id):
    labels = (secret.get('metadata') or {}).get('labels') or {}
    return (labels.get(N.LABEL_MANAGED_BY) == COPY_MANAGED_BY and labels.get(LABEL_WIRED_NAMESPACE) == namespace
            and labels.get(LABEL_WIRED_APP_ID) == app_id)


# -- what the cluster holds ------------------------------------------------------------------------
def owned_fields(workload, manager):
    """The fields (fieldsV1) `manager` owns by apply in a workload, or None when it owns none."""
    for entry in ((workload or {}).get('metadata') or {}).get('managedFields') or []:
        if entry.get('manager') == manager and entry.get('operation') == 'Apply':
            return entry.get('fieldsV1') or entry.get('fields_v1') or {}
    return None


def wired_by(workload, manager):
    """Whether `manager` owns fields in the workload (the API server drops a manager left owning nothing)."""
    return bool(owned_fields(workload, manager))


def wired_containers(workload, manager):
    """Names of the containers in which `manager` owns fields (their env)."""
    fields = owned_fields(workload, manager) or {}
    containers = (((fields.get('f:spec') or {}).get('f:template') or {}).get('f:spec') or {}).get('f:containers') or {}
    names = []
    for key in containers:
        if key.startswith('k:'):
            try:
                names.append(json.loads(key[2:]).get('name'))
            except ValueError:
                continue
    return sorted(n for n in names if n)


def project(obj):
    """What wiring touches in a workload, for comparing and for the diff; a Secret stays whole."""
    if obj is None or obj.get('kind') not in KINDS:
        return obj
    meta = obj.get('metadata') or {}
    template = (obj.get('spec') or {}).get('template') or {}
    template_meta = template.get('metadata') or {}
    annotations = dict((k, v) for k, v in (meta.get('annotations') or {}).items() if k == ANNOTATION_INSTANCE)
    view_meta = dict(name=meta.get('name'), namespace=meta.get('namespace'))
    if annotations:
        view_meta['annotations'] = annotations
    return dict(apiVersion=obj.get('apiVersion') or API_VERSION, kind=obj['kind'], metadata=view_meta, spec=dict(
        template=dict(metadata=dict(labels=dict(template_meta.get('labels') or {}),
                                    annotations=dict(template_meta.get('annotations') or {})),
                      spec=dict(containers=[dict(name=c.get('name'), env=copy.deepcopy(c.get('env') or []))
                                            for c in (template.get('spec') or {}).get('containers') or []]))))


def changes(before, after, manager):
    """Whether applying turned `before` into `after` as far as wiring goes: the wired fields, or what the
    manager owns (co-owning a value someone else set, or letting go of it, changes no value)."""
    return project(before) != project(after) or owned_fields(before, manager) != owned_fields(after, manager)


def status(workload, want, manager=None):
    """Whether a wired workload carries what the instance wants now. Pure; used by dapr_shared_info.

    Returns {workload, containers, current, problems}: problems name what is stale (endpoint values, token
    reference, label, token hash).
    """
    meta = workload.get('metadata') or {}
    namespace = meta.get('namespace')
    template = (workload.get('spec') or {}).get('template') or {}
    labels = (template.get('metadata') or {}).get('labels') or {}
    annotations = (template.get('metadata') or {}).get('annotations') or {}
    containers = dict((c.get('name'), c) for c in (template.get('spec') or {}).get('containers') or [])
    names = wired_containers(workload, manager) if manager else []
    if not names:
        names = sorted(n for n, c in containers.items() if any(e.get('name') == ENV_HTTP for e in c.get('env') or []))
    problems = []
    if not names:
        problems.append('no container carries %s' % ENV_HTTP)
    ref = token_ref_in(want, namespace)
    for name in names:
        found = dict((e.get('name'), e) for e in (containers.get(name) or {}).get('env') or [])
        for variable, value in sorted(want['endpoints'].items()):
            actual = (found.get(variable) or {}).get('value')
            if actual != value:
                problems.append('container %s: %s is %r, not %r' % (name, variable, actual, value))
        actual = ((found.get(ENV_TOKEN) or {}).get('valueFrom') or {}).get('secretKeyRef')
        if ref and (not actual or (actual.get('name'), actual.get('key')) != tuple(ref)):
            problems.append('container %s: %s does not come from Secret %s key %s' % (name, ENV_TOKEN, ref[0], ref[1]))
        elif not ref and ENV_TOKEN in found:
            problems.append('container %s: %s is set but the instance has no API token' % (name, ENV_TOKEN))
    for key, value in sorted(want['labels'].items()):
        if labels.get(key) != value:
            problems.append('pod label %s is %r, not %r (the NetworkPolicy admits only %s)'
                            % (key, labels.get(key), value, N.label_selector(want['labels'])))
    if want['token_hash'] and annotations.get(ANNOTATION_TOKEN_HASH) != want['token_hash']:
        problems.append('its pods were not rolled since the API token changed (%s)' % ANNOTATION_TOKEN_HASH)
    return dict(workload='%s %s/%s' % (workload.get('kind'), namespace, meta.get('name')), containers=names,
                current=not problems, problems=problems)


# -- checks of the declaration ---------------------------------------------------------------------
def validate(instance, where):
    """Semantic checks of `apps` (types and choices are the schema's). Returns messages naming apps[i]."""
    problems = []
    seen = {}
    admitted = admitted_namespaces(instance)
    for index, app in enumerate(instance.get('apps') or []):
        if not isinstance(app, dict):
            continue
        field = 'apps[%d]' % index
        name = app.get('name') or ''
        if not _DNS1123_SUBDOMAIN.match(name):
            problems.append('%s: %s.name must be a workload name (DNS-1123 subdomain), got %r' % (where, field, name))
        namespace = app_namespace(instance, app)
        if not _DNS1123_LABEL.match(namespace or ''):
            problems.append('%s: %s.namespace must be a namespace name, got %r' % (where, field, namespace))
        elif namespace == instance['namespace'] and name in (N.names(instance['app_id'], m)['workload'] for m in
                                                             ('manifests', 'helm')):
            problems.append('%s: %s.name: %s is the instance\'s own daprd workload, not an app' % (where, field, name))
        elif namespace not in admitted:
            problems.append('%s: %s.namespace: the instance admits clients only from %s (network_policy.'
                            'client_namespaces); add %s there or wire an app of those namespaces'
                            % (where, field, ', '.join(admitted), namespace))
        containers = app.get('containers') or []
        for container in containers:
            if not isinstance(container, str) or not _DNS1123_LABEL.match(container):
                problems.append('%s: %s.containers entries must be container names, got %r' % (where, field, container))
        if len(set(map(str, containers))) != len(containers):
            problems.append('%s: %s.containers lists a container twice' % (where, field))
        key = workload_key(app.get('kind'), namespace, name)
        if key in seen:
            problems.append('%s: %s is %s %s/%s again (also apps[%d])' % (where, field, key[0], namespace, name, seen[key]))
        else:
            seen[key] = index
    return problems


def validate_across(instances):
    """A workload has one DAPR_HTTP_ENDPOINT: two present instances may not wire the same one."""
    problems = []
    owner = {}
    for instance in instances:
        if not isinstance(instance, dict) or instance.get('state') != 'present':
            continue
        for index, app in enumerate(instance.get('apps') or []):
            if not isinstance(app, dict):
                continue
            key = workload_key(app.get('kind'), app_namespace(instance, app), app.get('name'))
            where = 'instance %s' % N.instance_key(instance)
            if key in owner and owner[key] != where:
                problems.append('%s: apps[%d]: %s %s/%s is wired by %s too; a workload can use one instance'
                                % (where, index, key[0], key[1], key[2], owner[key]))
            owner.setdefault(key, where)
    return problems

# The playbooks set the connection options once, with module_defaults for our action group role_modules
# (meta/runtime.yml). It must name every kubernetes.core module the roles call, or those tasks would run
# without the playbook's kubeconfig and context; and no playbook may name a group of another collection,
# which fails the syntax check where only this collection is installed (Galaxy's import lint).
import os

import yaml

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
GROUP_KEYS = ('block', 'rescue', 'always', 'tasks', 'pre_tasks', 'post_tasks', 'handlers')


def _yaml_files(base):
    for directory, _subdirs, files in os.walk(os.path.join(ROOT, base)):
        for name in sorted(files):
            if name.endswith(('.yml', '.yaml')):
                path = os.path.join(directory, name)
                yield os.path.relpath(path, ROOT), yaml.safe_load(open(path))


def _items(data):
    for item in data if isinstance(data, list) else []:
        if isinstance(item, dict):
            yield item
            for key in GROUP_KEYS:
                yield from _items(item.get(key))


def _role_modules():
    return yaml.safe_load(open(os.path.join(ROOT, 'meta', 'runtime.yml')))['action_groups']['role_modules']


def test_role_modules_lists_every_kubernetes_core_module_the_roles_call():
    called = set()
    for path, data in _yaml_files('roles'):
        if '/tasks/' in path or '/handlers/' in path:
            called.update(key for item in _items(data) for key in item if key.startswith('kubernetes.core.'))
    assert called and called <= set(m for m in _role_modules() if isinstance(m, str))


def test_role_modules_extends_our_own_group():
    assert {'metadata': {'extend_group': ['dapr']}} in _role_modules()


def test_playbooks_set_defaults_only_through_our_groups():
    found = {}
    for path, data in _yaml_files('playbooks'):
        for item in _items(data):
            for group in item.get('module_defaults') or {}:
                found.setdefault(path, []).append(group)
    assert found, 'no playbook sets module_defaults: this test looks in the wrong place'
    assert dict((path, [g for g in groups if not g.startswith('group/daprkit.dapr.')])
                for path, groups in found.items()) == dict((path, []) for path in found)

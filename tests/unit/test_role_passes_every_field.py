"""The manifests backend task must hand every schema field to the module (none silently dropped)."""
import os

import yaml

from ansible_collections.daprkit.dapr.plugins.module_utils import _spec as S

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


def test_instance_manifests_task_passes_every_field():
    tasks = yaml.safe_load(open(os.path.join(ROOT, 'roles', 'dapr_shared', 'tasks', 'instance_manifests.yml')))
    args = tasks[0]['daprkit.dapr.dapr_shared']
    assert sorted(k for k in args if k != 'wait_timeout') == sorted(S.INSTANCE_ARG_SPEC)
    for key in S.INSTANCE_ARG_SPEC:
        assert args[key] == '{{ __dapr_shared_instance.%s }}' % key

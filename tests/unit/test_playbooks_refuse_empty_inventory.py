"""An inventory without a cluster host fails loudly (it used to exit 0 having done nothing)."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))


@pytest.mark.parametrize('playbook', ['site.yml', 'playbooks/shared.yml', 'playbooks/uninstall.yml'])
def test_no_cluster_host_fails_and_says_how_to_target_one(tmp_path, playbook):
    inventory = tmp_path / 'hosts.yml'
    inventory.write_text('all:\n  hosts: {}\n')
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(ROOT, 'ansible.cfg'))
    done = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-playbook'), '-i', str(inventory),
                           os.path.join(ROOT, playbook)], capture_output=True, text=True, env=env, cwd=ROOT, check=False)
    assert done.returncode != 0, done.stdout
    assert "No host of the inventory matches 'dapr_clusters'" in done.stdout, done.stdout[-2000:]

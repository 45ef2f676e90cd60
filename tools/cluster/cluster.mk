# placeholder, owned by tools/cluster

module daprkit.local/pause

go 1.24

module daprkit.local/runc-wrapper

go 1.24

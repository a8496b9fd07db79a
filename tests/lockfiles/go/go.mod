module example.com/svc

go 1.16

require (
	github.com/golang/snappy v0.0.1
	github.com/pkg/errors v0.9.1
)

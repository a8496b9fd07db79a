module example.com/goasm

go 1.14

require (
	github.com/golang/snappy v0.0.1
	golang.org/x/sys v0.0.0-20210124154548-22da62e12c0c
)

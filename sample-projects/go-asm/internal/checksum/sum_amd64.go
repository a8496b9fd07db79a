package checksum

//go:noescape
func sum(p []byte) uint32

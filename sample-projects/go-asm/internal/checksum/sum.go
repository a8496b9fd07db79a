// Package checksum adds up buffers quickly.
package checksum

// Sum returns the byte sum of p.
func Sum(p []byte) uint32 { return sum(p) }

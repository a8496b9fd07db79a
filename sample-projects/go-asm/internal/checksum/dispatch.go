package checksum

import "golang.org/x/sys/cpu"

// UseHardwareCRC reports whether the SSE4.2 CRC path can run.
func UseHardwareCRC() bool { return cpu.X86.HasSSE42 }

//go:build !linux

package deliverytest

import "time"

// ThreadCPU falls back to the wall clock where the thread's CPU clock is
// not read (see cputime_linux.go).
func ThreadCPU() time.Duration { return time.Duration(time.Now().UnixNano()) }

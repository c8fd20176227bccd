//go:build !linux

package loadgen

import "errors"

// SetNice is available on Linux only.
func SetNice(n int) error {
	if n == 0 {
		return nil
	}
	return errors.New("load: --nice is supported on Linux only")
}

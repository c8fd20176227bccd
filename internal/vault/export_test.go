package vault

// SetRotateHook makes rotation batches small and runs f after each, so tests
// can interrupt a rotation midway. It returns a function restoring defaults.
func SetRotateHook(batch int, f func() error) (restore func()) {
	rotateBatch, afterRewrapBatch = batch, f
	return func() { rotateBatch, afterRewrapBatch = 500, nil }
}

package vault

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
)

// writeTemp writes f to a new file beside path, mode 0600, flushed to disk,
// and returns its name. Callers link or rename it into place, so a reader never
// sees a half-written key file and a crash never leaves one.
func writeTemp(path string, f *keyFile) (string, error) {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return "", fmt.Errorf("vault: encode key file: %w", err)
	}
	defer clear(b)
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return "", fmt.Errorf("vault: write key file: %w", err)
	}
	name := tmp.Name()
	fail := func(err error) (string, error) {
		tmp.Close()
		os.Remove(name)
		return "", fmt.Errorf("vault: write key file: %w", err)
	}
	if err := tmp.Chmod(0o600); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fail(err)
	}
	return name, nil
}

// saveAtomic replaces the key file at path with f: temporary file, fsync,
// rename, fsync of the directory. After a crash the file is either the old one
// or the new one, never a mix — losing the key file loses every record.
func saveAtomic(path string, f *keyFile) error {
	tmp, err := writeTemp(path, f)
	if err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("vault: replace key file: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("vault: sync key directory: %w", err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("vault: sync key directory: %w", err)
	}
	return nil
}

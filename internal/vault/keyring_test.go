package vault_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/vault"
)

func TestLoadOrCreate(t *testing.T) {
	kr, path := MustKeyring(t)

	t.Run("FileAndDirPrivate", func(t *testing.T) {
		for p, want := range map[string]fs.FileMode{path: 0o600, filepath.Dir(path): 0o700} {
			fi, err := os.Stat(p)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != want {
				t.Errorf("%s: got mode %04o, want %04o", p, got, want)
			}
		}
	})
	t.Run("SecondCallLoads", func(t *testing.T) {
		again, created, err := vault.LoadOrCreate(path)
		if err != nil || created {
			t.Fatalf("created=%v err=%v", created, err)
		}
		if got, want := vault.New(nil, again).BlindIndex("d", "v"), vault.New(nil, kr).BlindIndex("d", "v"); !bytes.Equal(got, want) {
			t.Fatal("reloaded key file gives another blind index")
		}
		if got := again.CurrentVersion(); got != 1 {
			t.Fatalf("got version %d, want 1", got)
		}
	})
	t.Run("AuditKeys", func(t *testing.T) {
		id, priv := kr.AuditSigningKey()
		pub, ok := kr.AuditPublicKeys()[id]
		if !ok {
			t.Fatalf("signing key %q not among the public keys", id)
		}
		sig := ed25519.Sign(priv, []byte("checkpoint"))
		if !ed25519.Verify(pub, []byte("checkpoint"), sig) {
			t.Fatal("public key does not verify the signing key's signature")
		}
	})
}

func TestLoad(t *testing.T) {
	_, path := MustKeyring(t)
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		mode    fs.FileMode
		content []byte
		want    string // in the error
	}{
		{"OK", 0o600, content, ""},
		{"OwnerReadOnlyOK", 0o400, content, ""},
		{"ErrWorldReadable", 0o644, content, "mode 0644"},
		{"ErrGroupReadable", 0o640, content, "mode 0640"},
		{"ErrGroupWritable", 0o620, content, "mode 0620"},
		{"ErrNotAKeyFile", 0o600, []byte(`{"format":"ura-keyring/1","index_key":"c2VjcmV0`), "not a valid key file"},
		{"ErrUnknownFormat", 0o600, []byte(`{"format":"ura-keyring/9"}`), "unknown format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "master.key")
			if err := os.WriteFile(p, tc.content, tc.mode); err != nil {
				t.Fatal(err)
			}
			os.Chmod(p, tc.mode) // past the umask
			_, err := vault.Load(p)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("got %v, want nil", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want an error with %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "c2VjcmV0") || strings.Contains(err.Error(), `"key"`) {
				t.Fatalf("error quotes the file's contents: %v", err)
			}
		})
	}
	t.Run("NeverCreates", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "absent.key")
		if _, err := vault.Load(p); !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("got %v, want not exist", err)
		}
		if _, err := os.Stat(p); !errors.Is(err, fs.ErrNotExist) {
			t.Fatal("Load created a file")
		}
	})
	t.Run("LoadOrCreateRefusesOpenMode", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "master.key")
		os.WriteFile(p, content, 0o644)
		os.Chmod(p, 0o644)
		if _, _, err := vault.LoadOrCreate(p); err == nil || !strings.Contains(err.Error(), "mode 0644") {
			t.Fatalf("got %v, want a mode error", err)
		}
	})
}

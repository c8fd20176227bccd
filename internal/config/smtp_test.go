package config_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestSMTPFromEnv(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "smtp.pw")
	if err := os.WriteFile(pwFile, []byte("s3cret pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	base := map[string]string{"URA_DATA": dir, "URA_SMTP_HOST": "mail.example.org", "URA_SMTP_FROM": "Ura <ura@example.org>"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
		check   func(t *testing.T, c config.Config)
	}{
		{"Off", map[string]string{"URA_DATA": dir}, "", func(t *testing.T, c config.Config) {
			if c.SMTP.Host != "" || c.SMTP.Port != 587 || c.SMTP.StartTLS != "required" {
				t.Errorf("SMTP = %+v, want off with defaults", c.SMTP)
			}
		}},
		{"Defaults", base, "", func(t *testing.T, c config.Config) {
			if got, want := c.SMTP.From, `"Ura" <ura@example.org>`; got != want {
				t.Errorf("From = %q, want %q", got, want)
			}
		}},
		{"PasswordFromFile", with("URA_SMTP_USERNAME", "ura", "URA_SMTP_PASSWORD_FILE", pwFile, "URA_SMTP_PORT", "2525"), "",
			func(t *testing.T, c config.Config) {
				if c.SMTP.Password != "s3cret pass" || c.SMTP.Port != 2525 {
					t.Errorf("SMTP = port %d, password %q", c.SMTP.Port, c.SMTP.Password)
				}
			}},
		{"PasswordVariableRefused", with("URA_SMTP_PASSWORD", "x"), "URA_SMTP_PASSWORD_FILE", nil},
		{"BadPort", with("URA_SMTP_PORT", "70000"), "URA_SMTP_PORT", nil},
		{"PortNotNumber", with("URA_SMTP_PORT", "smtp"), "URA_SMTP_PORT", nil},
		{"ImplicitTLS", with("URA_SMTP_STARTTLS", "implicit", "URA_SMTP_PORT", "465"), "", func(t *testing.T, c config.Config) {
			if c.SMTP.StartTLS != "implicit" || c.SMTP.Port != 465 {
				t.Errorf("SMTP = %+v, want implicit TLS on 465", c.SMTP)
			}
		}},
		{"Port465MeansImplicit", with("URA_SMTP_PORT", "465"), "", func(t *testing.T, c config.Config) {
			if c.SMTP.StartTLS != "implicit" {
				t.Errorf("StartTLS = %q on port 465, want implicit", c.SMTP.StartTLS)
			}
		}},
		{"Port465KeepsAnExplicitMode", with("URA_SMTP_PORT", "465", "URA_SMTP_STARTTLS", "required"), "", func(t *testing.T, c config.Config) {
			if c.SMTP.StartTLS != "required" {
				t.Errorf("StartTLS = %q, want the mode that was set", c.SMTP.StartTLS)
			}
		}},
		{"BadMode", with("URA_SMTP_STARTTLS", "maybe"), "URA_SMTP_STARTTLS", nil},
		{"NoFrom", with("URA_SMTP_FROM", ""), "URA_SMTP_FROM", nil},
		{"HeaderInjectionInFrom", with("URA_SMTP_FROM", "ura@example.org\r\nBcc: x@y.z"), "URA_SMTP_FROM", nil},
		{"CredentialsWithoutHost", map[string]string{"URA_DATA": dir, "URA_SMTP_USERNAME": "u"}, "URA_SMTP_HOST", nil},
		{"ClearPasswordToRemoteRefused", with("URA_SMTP_USERNAME", "u", "URA_SMTP_PASSWORD_FILE", pwFile, "URA_SMTP_STARTTLS", "none"),
			"in clear", nil},
		{"ClearToLoopbackAllowed", with("URA_SMTP_HOST", "127.0.0.1", "URA_SMTP_USERNAME", "u", "URA_SMTP_STARTTLS", "none"), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := config.Default()
			err := c.FromEnv(env(tt.env))
			if err == nil {
				err = c.Validate()
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("err = %v, want none", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("err = %v, want one naming %q", err, tt.wantErr)
			}
			if err == nil && tt.check != nil {
				tt.check(t, c)
			}
		})
	}
}

func TestMaskedHidesSMTPPassword(t *testing.T) {
	c := config.Default()
	c.SMTP.Host, c.SMTP.Username, c.SMTP.Password = "mail.example.org", "ura", "s3cret"
	got := c.Masked()
	if strings.Contains(got, "s3cret") {
		t.Errorf("Masked shows the SMTP password:\n%s", got)
	}
	for _, want := range []string{"smtp_host=mail.example.org\n", "smtp_username=ura\n", "smtp_password=****\n", "smtp_starttls=required\n"} {
		if !strings.Contains(got, want) {
			t.Errorf("Masked lacks %q:\n%s", want, got)
		}
	}
}

// TestMaskedDatabasePassword: `ura config` shows the database URL with its
// password as four stars, never the password.
func TestMaskedDatabasePassword(t *testing.T) {
	c := config.Default()
	c.DB = "postgres://ura:s3cret-pass@db.internal:5432/ura?sslmode=require"
	out := c.Masked()
	if strings.Contains(out, "s3cret") || !strings.Contains(out, "db=postgres://ura:****@db.internal:5432/ura?sslmode=require\n") {
		t.Errorf("masked config:\n%s", out)
	}
}

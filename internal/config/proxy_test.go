package config_test

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ura-nrm/ura/internal/config"
)

func TestTrustedProxiesAndMetricsSettings(t *testing.T) {
	dir := t.TempDir()
	tokFile := filepath.Join(dir, "metrics.token")
	if err := os.WriteFile(tokFile, []byte("0123456789abcdef-scrape\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short.token")
	os.WriteFile(short, []byte("abc"), 0o600)
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		wantErr string
		check   func(t *testing.T, c config.Config)
	}{
		{"Defaults", nil, nil, "", func(t *testing.T, c config.Config) {
			if len(c.TrustedProxies) != 0 || c.MetricsAddr != "" || c.MetricsToken != "" || c.APIRatePerToken != 600 || c.APIRatePerAddress != 1200 {
				t.Errorf("defaults: %+v", c)
			}
		}},
		{"EnvProxies", map[string]string{"URA_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"}, nil, "", func(t *testing.T, c config.Config) {
			if len(c.TrustedProxies) != 2 || c.TrustedProxies[0].String() != "127.0.0.1/32" {
				t.Errorf("TrustedProxies = %v", c.TrustedProxies)
			}
		}},
		{"FlagOverridesEnv", map[string]string{"URA_TRUSTED_PROXIES": "127.0.0.1"}, []string{"--trusted-proxies", "192.0.2.0/24"}, "",
			func(t *testing.T, c config.Config) {
				if len(c.TrustedProxies) != 1 || c.TrustedProxies[0].String() != "192.0.2.0/24" {
					t.Errorf("TrustedProxies = %v", c.TrustedProxies)
				}
			}},
		{"BadProxy", map[string]string{"URA_TRUSTED_PROXIES": "proxy.example.org"}, nil, "URA_TRUSTED_PROXIES", nil},
		{"BadProxyFlag", nil, []string{"--trusted-proxies", "10.0.0.0/40"}, "trusted-proxies", nil},
		{"OldSwitchRefused", map[string]string{"URA_TRUST_PROXY": "1"}, nil, "--trusted-proxies", nil},
		{"OldFlagRefused", nil, []string{"--trust-proxy"}, "--trusted-proxies", nil},
		{"MetricsAddrAndToken", map[string]string{"URA_METRICS_ADDR": "127.0.0.1:9100", "URA_METRICS_TOKEN_FILE": tokFile}, nil, "",
			func(t *testing.T, c config.Config) {
				if c.MetricsAddr != "127.0.0.1:9100" || c.MetricsToken != "0123456789abcdef-scrape" {
					t.Errorf("metrics: %q %q", c.MetricsAddr, c.MetricsToken)
				}
				if m := c.Masked(); strings.Contains(m, "abcdef") || !strings.Contains(m, "metrics_token=****\n") {
					t.Errorf("Masked shows the metrics token:\n%s", m)
				}
			}},
		{"MetricsTokenVariableRefused", map[string]string{"URA_METRICS_TOKEN": "x"}, nil, "URA_METRICS_TOKEN_FILE", nil},
		{"MetricsTokenTooShort", map[string]string{"URA_METRICS_TOKEN_FILE": short}, nil, "16 characters", nil},
		{"MetricsAddrBad", nil, []string{"--metrics-addr", "nowhere"}, "--metrics-addr", nil},
		{"MetricsAddrSameAsAddr", nil, []string{"--metrics-addr", "127.0.0.1:8080"}, "differ", nil},
		{"ProfilingNeedsMetricsAddr", nil, []string{"--profiling"}, "--metrics-addr", nil},
		{"ProfilingNotOnAllAddresses", nil, []string{"--profiling", "--metrics-addr", "0.0.0.0:9100"}, "loopback", nil},
		{"ProfilingBadVariable", map[string]string{"URA_PROFILING": "maybe"}, nil, "URA_PROFILING", nil},
		{"ProfilingOnLoopback", map[string]string{"URA_PROFILING": "1"}, []string{"--metrics-addr", "127.0.0.1:9100"}, "",
			func(t *testing.T, c config.Config) {
				if !c.Profiling {
					t.Error("profiling off")
				}
			}},
		{"RateLimits", map[string]string{"URA_API_RATE_PER_TOKEN": "60"}, []string{"--api-rate-per-address", "0"}, "",
			func(t *testing.T, c config.Config) {
				if c.APIRatePerToken != 60 || c.APIRatePerAddress != 0 {
					t.Errorf("rates %d %d", c.APIRatePerToken, c.APIRatePerAddress)
				}
			}},
		{"RateNotNumber", map[string]string{"URA_API_RATE_PER_TOKEN": "lots"}, nil, "URA_API_RATE_PER_TOKEN", nil},
		{"RateNegative", nil, []string{"--api-rate-per-token", "-1"}, "api-rate", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := map[string]string{"URA_DATA": dir}
			for k, v := range tt.env {
				m[k] = v
			}
			c := config.Default()
			err := c.FromEnv(env(m))
			if err == nil {
				fs := flag.NewFlagSet("serve", flag.ContinueOnError)
				fs.SetOutput(io.Discard)
				c.ServeFlags(fs)
				err = fs.Parse(tt.args)
			}
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

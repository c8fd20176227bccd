package linkage_test

import (
	"testing"

	"github.com/ura-nrm/ura/internal/linkage"
)

func mustDate(t *testing.T, s string) linkage.Date {
	t.Helper()
	d, err := linkage.ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in      string
		want    linkage.Date
		wantErr bool
	}{
		{"1990-04-12", linkage.Date{Year: 1990, Month: 4, Day: 12}, false},
		{"1990-04", linkage.Date{Year: 1990, Month: 4}, false},
		{"1990", linkage.Date{Year: 1990}, false},
		{"", linkage.Date{}, false},
		{"1990-13-01", linkage.Date{}, true},
		{"1990-00", linkage.Date{}, true},
		{"1990-04-32", linkage.Date{}, true},
		{"12.04.1990", linkage.Date{}, true},
		{"19900412", linkage.Date{}, true},
		{"199x", linkage.Date{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := linkage.ParseDate(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("got %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestCompareDates(t *testing.T) {
	tests := []struct {
		name, a, b string
		want       int
	}{
		{"same", "1990-04-12", "1990-04-12", linkage.DateExact},
		{"day and month swapped", "1990-04-12", "1990-12-04", linkage.DateNear},
		{"one digit of the year", "1990-04-12", "1980-04-12", linkage.DateNear},
		{"one digit of the day", "1990-04-12", "1990-04-13", linkage.DateNear},
		{"adjacent digits swapped", "1990-04-12", "1990-04-21", linkage.DateNear},
		{"same year and month", "1990-04-12", "1990-04-27", linkage.DatePartial},
		{"year only, consistent", "1990", "1990-04-12", linkage.DatePartial},
		{"year and month, consistent", "1990-04", "1990-04-12", linkage.DatePartial},
		{"year and month, inconsistent", "1990-05", "1990-04-12", linkage.DateDisagree},
		{"year only, one digit off", "1990", "1991", linkage.DatePartial},
		{"different", "1990-04-12", "1975-09-30", linkage.DateDisagree},
		{"unknown", "", "1990-04-12", linkage.DateMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, b := mustDate(t, tt.a), mustDate(t, tt.b)
			if got := linkage.CompareDates(a, b); got != tt.want {
				t.Errorf("CompareDates(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
			}
			if got := linkage.CompareDates(b, a); got != tt.want {
				t.Errorf("not symmetric: CompareDates(%s, %s) = %d, want %d", tt.b, tt.a, got, tt.want)
			}
		})
	}
}

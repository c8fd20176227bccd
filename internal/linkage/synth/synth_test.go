package synth_test

import (
	"reflect"
	"testing"

	"github.com/ura-nrm/ura/internal/linkage/synth"
)

func TestGenerateDeterministic(t *testing.T) {
	a := synth.Generate(synth.Options{Families: 50, Seed: 7})
	b := synth.Generate(synth.Options{Families: 50, Seed: 7})
	if !reflect.DeepEqual(a, b) {
		t.Error("the same seed gave different records")
	}
	c := synth.Generate(synth.Options{Families: 50, Seed: 8})
	if reflect.DeepEqual(a, c) {
		t.Error("different seeds gave the same records")
	}
}

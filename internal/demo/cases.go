package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/cases"
	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/linkage/synth"
)

// exploitationMix weighs the forms of exploitation as Kosovo's figures show
// them (DOMAIN §6: mostly sexual exploitation, then forced begging and labour).
var exploitationMix = []struct {
	code   string
	weight int
}{
	{"SexualExploitation", 60}, {"ForcedBegging", 15}, {"ForcedLabour", 15}, {"ForcedMarriage", 5}, {"ForcedCriminality", 5},
}

// demoStages are where the demo cases stand, reached by the demo police
// officer through the state machine (so every one is a case Ura could hold).
var demoStages = [][]cases.Stage{
	nil,
	{cases.StageScreening},
	{cases.StageScreening, cases.StagePresumed},
}

// Cases registers n fictional cases as the demo police officer, with names
// from the region's synthetic name generator (no real person), mostly women
// and girls, spread over the first stages. It returns how many it opened.
func Cases(ctx context.Context, a *app.App, n int, seed uint64) (int, error) {
	u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, Email(access.Police))
	if err != nil {
		return 0, fmt.Errorf("demo cases need the demo accounts: %w", err)
	}
	actor := u.Actor()
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	opened := 0
	for _, r := range synth.Generate(synth.Options{Families: n, Seed: seed}) {
		if opened == n {
			break
		}
		if !strings.HasSuffix(r.ID, "-org") {
			continue // the generator's corrupted copies are for linkage tests
		}
		sex := "female"
		if r.Sex == "M" && rng.IntN(4) == 0 { // most victims are women and girls
			sex = "male"
		}
		in := cases.Input{
			Person:       cases.Person{GivenName: r.GivenName, FamilyName: r.FamilyName, BirthDate: r.BirthDate, Sex: sex, Citizenship: r.Citizenship},
			Exploitation: []string{pickExploitation(rng)},
			Municipality: []string{"Prishtinë", "Prizren", "Pejë", "Gjakovë", "Ferizaj", "Mitrovicë"}[rng.IntN(6)],
		}
		reg, err := a.Cases.Open(ctx, actor, in)
		if err == cases.ErrDuplicate {
			continue
		}
		if err != nil {
			return opened, err
		}
		opened++
		for _, to := range demoStages[rng.IntN(len(demoStages))] {
			c, err := a.Cases.FindCaseByID(ctx, actor, reg.ID)
			if err != nil {
				return opened, err
			}
			if err := a.Cases.Transition(ctx, actor, reg.ID, cases.TransitionInput{To: to, Version: c.Version}); err != nil && !errs.Is(err, errs.Invalid) {
				return opened, err
			}
		}
	}
	return opened, nil
}

func pickExploitation(rng *rand.Rand) string {
	total := 0
	for _, e := range exploitationMix {
		total += e.weight
	}
	n := rng.IntN(total)
	for _, e := range exploitationMix {
		if n < e.weight {
			return e.code
		}
		n -= e.weight
	}
	return exploitationMix[0].code
}

// DemoCaseCount is how many cases `serve --demo` opens on a store without any.
const DemoCaseCount = 12

// LoadCases opens the demo cases once: on a store where the demo police
// officer sees no case yet.
func LoadCases(ctx context.Context, a *app.App) (int, error) {
	u, err := a.Auth.FindUserByEmail(ctx, access.SystemActor, Email(access.Police))
	if err != nil {
		return 0, err
	}
	_, total, err := a.Cases.FindCases(ctx, u.Actor(), cases.CaseFilter{Limit: 1})
	if err != nil || total > 0 {
		return 0, err
	}
	return Cases(ctx, a, DemoCaseCount, 2026)
}

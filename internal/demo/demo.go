// Package demo fills an empty store with fictional organisations and one
// account per role, so a newcomer can sign in as anyone. Every name in it is
// invented. Demo mode is refused on a store that holds real accounts.
package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"math/big"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/app"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
)

// Credential is how to sign in as one demo account.
type Credential struct {
	Role access.Role
	// Label names the account in the printed table: the role, or the role
	// and a number when the demo has two accounts of it (evaluator2).
	Label      string
	Email      string
	Password   string
	TOTPSecret string // empty when the role signs in without a second factor
}

type demoOrg struct {
	name, municipality string
	typ                access.OrgType
}

// Orgs are the fictional organisations of the demo.
var orgs = []demoOrg{
	{"Demo National Coordinator's Office", "Prishtinë", "coordinator"},
	{"Demo Police THB Directorate", "Prishtinë", "police"},
	{"Demo Basic Prosecution Office", "Prizren", "prosecution"},
	{"Demo Victim Advocacy Office", "Prishtinë", "victim_advocacy"},
	{"Demo Centre for Social Work", "Gjakovë", "social_work"},
	{"Demo Shelter Drita", "", "shelter"},
	{"Demo NGO Ura e Re", "Pejë", "ngo"},
	{"Demo Helpline", "Prishtinë", "helpline"},
	// A civil-society coalition that monitors the action plans.
	{"Demo CSO Coalition Monitor", "Prishtinë", "ngo"},
}

// accounts map each role to its organisation and an invented name.
var accounts = []struct {
	role access.Role
	org  int
	name string
	// n numbers a second account of the same role (its e-mail and label).
	n string
}{
	{access.Coordinator, 0, "Arta Demaj", ""},
	{access.Police, 1, "Besnik Hoxhaj", ""},
	{access.Prosecutor, 2, "Vesna Lukić", ""},
	{access.Advocate, 3, "Drita Krasniqi", ""},
	{access.SocialWorker, 4, "Milica Jovanović", ""},
	{access.Shelter, 5, "Teuta Berisha", ""},
	{access.NGO, 6, "Ilir Gashi", ""},
	{access.Helpline, 7, "Ana Popescu", ""},
	{access.Analyst, 0, "Luan Shala", ""},
	{access.Auditor, 0, "Jelena Marković", ""},
	{access.Admin, 0, "Agon Morina", ""},
	// Grants and licensing: two evaluators, a provider's staff at the
	// shelter and at the NGO, and a funder who reads aggregated reports.
	{access.Evaluator, 0, "Blerim Rexhepi", ""},
	{access.Evaluator, 0, "Sanja Petrović", "2"},
	{access.Provider, 5, "Fatmire Kelmendi", ""},
	{access.Provider, 6, "Dragan Nikolić", "2"},
	{access.Funder, 0, "Lena Hoxha", ""},
	// A civil-society monitor: reads and comments on the plans its
	// organisation monitors, no case data.
	{access.Monitor, 8, "Nora Kastrati", ""},
}

// Email is the demo account's sign-in address for a role.
func Email(r access.Role) string { return string(r) + "@demo.ura.invalid" }

// Load creates the demo organisations and accounts if missing, and gives every
// demo account a fresh password and second-factor secret, returned so they can
// be printed. It refuses a store that holds real accounts.
func Load(ctx context.Context, a *app.App) ([]Credential, error) {
	real, err := a.Auth.HasRealData(ctx)
	if err != nil {
		return nil, err
	}
	if real {
		return nil, app.ErrRealData
	}
	sys := access.SystemActor
	orgIDs := make([]string, len(orgs))
	for i, o := range orgs {
		found, err := a.Auth.FindOrgByName(ctx, sys, o.name)
		if errs.Is(err, errs.NotFound) {
			found, err = a.Auth.CreateOrg(ctx, sys, auth.OrgInput{Name: o.name, Type: o.typ, Municipality: o.municipality})
		}
		if err != nil {
			return nil, fmt.Errorf("demo organisation: %w", err)
		}
		orgIDs[i] = found.ID
	}
	if err := loadServices(ctx, a); err != nil {
		return nil, err
	}
	var creds []Credential
	users := map[access.Role]access.Actor{}
	for _, acc := range accounts {
		pw := Password()
		email := Email(acc.role)
		if acc.n != "" {
			email = string(acc.role) + acc.n + "@demo.ura.invalid"
		}
		u, err := a.Auth.FindUserByEmail(ctx, sys, email)
		if errs.Is(err, errs.NotFound) {
			u, err = a.Auth.CreateUser(ctx, sys, auth.UserInput{Email: email, Name: acc.name, Role: acc.role, OrgID: orgIDs[acc.org], Password: pw, Demo: true})
		}
		if err != nil {
			return nil, fmt.Errorf("demo account: %w", err)
		}
		secret := ""
		if access.SeesPersonalData(acc.role) {
			secret = auth.GenerateTOTPSecret()
		}
		if err := a.Auth.ResetDemoAccount(ctx, u.ID, pw, secret); err != nil {
			return nil, fmt.Errorf("demo account: %w", err)
		}
		if acc.n == "" {
			users[acc.role] = u.Actor()
		}
		creds = append(creds, Credential{Role: acc.role, Label: string(acc.role) + acc.n, Email: email, Password: pw, TOTPSecret: secret})
	}
	if err := loadCoordination(ctx, a, users, orgIDs); err != nil {
		return nil, fmt.Errorf("demo coordination: %w", err)
	}
	return creds, nil
}

// Password returns a random demo password: four groups of five letters and
// digits, easy to type from a terminal.
func Password() string {
	const alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
	b := make([]byte, 0, 23)
	for i := 0; i < 20; i++ {
		if i > 0 && i%5 == 0 {
			b = append(b, '-')
		}
		n, _ := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		b = append(b, alphabet[n.Int64()])
	}
	return string(b)
}

// PrintCredentials writes the sign-in table shown at demo start.
func PrintCredentials(w io.Writer, url string, creds []Credential) {
	fmt.Fprintf(w, "\nDemo mode: all data is fictional. Sign in at %s as any role.\n", url)
	fmt.Fprintln(w, "Add the TOTP secret to an authenticator app (or use `oathtool --totp -b SECRET`).")
	fmt.Fprintf(w, "\n%-14s %-36s %-24s %s\n", "ROLE", "EMAIL", "PASSWORD", "TOTP SECRET")
	for _, c := range creds {
		s := c.TOTPSecret
		if s == "" {
			s = "(none: aggregates only)"
		}
		label := c.Label
		if label == "" {
			label = string(c.Role)
		}
		fmt.Fprintf(w, "%-14s %-36s %-24s %s\n", label, c.Email, c.Password, s)
	}
	fmt.Fprintln(w)
}

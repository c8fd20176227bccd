package loadgen

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"sync"

	"github.com/ura-nrm/ura/internal/access"
	"github.com/ura-nrm/ura/internal/auth"
	"github.com/ura-nrm/ura/internal/errs"
)

// Account is how one virtual user signs in. Password and TOTPSecret are
// secrets: never log or print them.
type Account struct {
	Email      string
	Password   string
	TOTPSecret string // empty for roles that sign in without a second factor
	Role       access.Role
	OrgID      string
}

// ErrRealData refuses load accounts on a store that holds real accounts:
// load generation is for demo and test stores only.
var ErrRealData = errors.New("load refused: this store holds real (non-demo) accounts")

// orgTypeOf is the type of organisation each load role works in.
var orgTypeOf = map[access.Role]access.OrgType{
	access.Police: "police", access.Prosecutor: "prosecution", access.Advocate: "victim_advocacy",
	access.SocialWorker: "social_work", access.Shelter: "shelter", access.NGO: "ngo",
	access.Helpline: "helpline", access.Coordinator: "coordinator", access.Analyst: "coordinator",
}

// Email is the sign-in address of load account i (1-based).
func Email(i int) string { return fmt.Sprintf("load-%04d@load.ura.invalid", i) }

// SetupResult says what Setup did.
type SetupResult struct {
	Accounts []Account
	Created  int
	Reset    int
	// Missing lists the roles given no account because the store holds no
	// active organisation of their type.
	Missing []access.Role
}

// Setup creates or resets n load accounts, load-0001 … load-n: demo
// accounts (so they never count as real data), each with a fresh random
// password and, for roles that see personal data, an enrolled TOTP
// secret. Roles are LoadRoles in turn (an account that exists keeps its
// role and organisation); each account goes to an active organisation of
// its role's type, taken in turn, so a store with several shelters spreads
// the shelter users over them. Roles whose type has no organisation are
// left out. It refuses a store with real accounts, and hashes at most
// four passwords at once (argon2id takes 64 MiB each).
func Setup(ctx context.Context, as *auth.Service, n int) (*SetupResult, error) {
	if n <= 0 {
		return nil, errors.New("load: the number of users must be positive")
	}
	real, err := as.HasRealData(ctx)
	if err != nil {
		return nil, err
	}
	if real {
		return nil, ErrRealData
	}
	sys := access.SystemActor
	orgs, err := as.FindOrgs(ctx, sys)
	if err != nil {
		return nil, fmt.Errorf("load: list organisations: %w", err)
	}
	byType := map[access.OrgType][]string{}
	for _, o := range orgs {
		if o.Active {
			byType[o.Type] = append(byType[o.Type], o.ID)
		}
	}
	res := &SetupResult{}
	var roles []access.Role
	for _, r := range LoadRoles {
		if len(byType[orgTypeOf[r]]) == 0 {
			res.Missing = append(res.Missing, r)
			continue
		}
		roles = append(roles, r)
	}
	if len(roles) == 0 {
		return nil, errors.New("load: the store holds no organisation to put load accounts in (run ura demo first)")
	}

	// Plan every account first (deterministic), then hash in parallel.
	type plan struct {
		acc    Account
		userID string // empty: create
	}
	plans := make([]plan, n)
	for i := range plans {
		email := Email(i + 1)
		u, err := as.FindUserByEmail(ctx, sys, email)
		switch {
		case err == nil:
			if !u.Demo {
				return nil, ErrRealData
			}
			if !u.Active {
				return nil, fmt.Errorf("load: account %s is deactivated", email)
			}
			plans[i] = plan{acc: Account{Email: email, Role: u.Role, OrgID: u.OrgID}, userID: u.ID}
		case errs.Is(err, errs.NotFound):
			// The i-th account is the (i / len(roles))-th of its role:
			// the same organisation whichever accounts exist already.
			r := roles[i%len(roles)]
			ids := byType[orgTypeOf[r]]
			plans[i] = plan{acc: Account{Email: email, Role: r, OrgID: ids[(i/len(roles))%len(ids)]}}
		default:
			return nil, fmt.Errorf("load: look up account %d: %w", i+1, err)
		}
	}

	sem := make(chan struct{}, 4)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var firstErr error
	for i := range plans {
		p := &plans[i]
		p.acc.Password = password()
		if access.SeesPersonalData(p.acc.Role) {
			p.acc.TOTPSecret = auth.GenerateTOTPSecret()
		}
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			err := ctx.Err()
			if err == nil && p.userID == "" {
				var u *auth.User
				u, err = as.CreateUser(ctx, sys, auth.UserInput{Email: p.acc.Email, Name: fmt.Sprintf("Load Tester %04d", i+1),
					Role: p.acc.Role, OrgID: p.acc.OrgID, Password: p.acc.Password, Demo: true})
				if err == nil {
					p.userID = u.ID
					mu.Lock()
					res.Created++
					mu.Unlock()
				}
			} else if err == nil {
				mu.Lock()
				res.Reset++
				mu.Unlock()
			}
			if err == nil {
				err = as.ResetDemoAccount(ctx, p.userID, p.acc.Password, p.acc.TOTPSecret)
			}
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = fmt.Errorf("load: account %d: %w", i+1, err)
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	for _, p := range plans {
		res.Accounts = append(res.Accounts, p.acc)
	}
	return res, nil
}

// password returns 120 random bits as 24 base32 letters and digits.
func password() string {
	b := make([]byte, 15)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base32.StdEncoding.EncodeToString(b)
}

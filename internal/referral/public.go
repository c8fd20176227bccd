package referral

import (
	"context"
	"sort"
)

// PublicService is a service as the public portal lists it: what anyone may
// know to ask for help. Shelters are never listed (their existence is told
// in words, their names and places are not), nor anything of a service's
// capacity.
type PublicService struct {
	Name, Type, Organisation, Municipality, Address, Hours, Phone, Email, Description string
	Languages                                                                         []string
}

// PublicDirectory returns the active, licensed, non-residential services of
// active providers, by municipality and name. Shelters are left out whatever
// their settings: a shelter's name with its municipality can lead to it.
func (s *Service) PublicDirectory(ctx context.Context) ([]PublicService, error) {
	list, err := s.directory(ctx, s.DB.Read())
	if err != nil {
		return nil, err
	}
	day := s.Clock.Now().UTC().Format("2006-01-02")
	var out []PublicService
	for i := range list {
		o := &list[i]
		if IsShelter(o.Type) || !o.Active || !o.OrgActive || !o.Licensed(day) {
			continue
		}
		out = append(out, PublicService{Name: o.Name, Type: o.Type, Organisation: o.OrgName, Municipality: o.Municipality,
			Address: o.Address, Hours: o.Hours, Phone: o.Phone, Email: o.Email, Description: o.Description,
			Languages: append([]string(nil), o.Eligibility.Languages...)})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Municipality != out[j].Municipality {
			return out[i].Municipality < out[j].Municipality
		}
		return out[i].Name < out[j].Name
	})
	return out, nil
}

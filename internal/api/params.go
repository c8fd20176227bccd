package api

import (
	"net/url"
	"strconv"

	"github.com/ura-nrm/ura/internal/errs"
)

// flagParam reads a yes/no query parameter: absent or empty, "0" or
// "false" is no, "1" or "true" yes; anything else is refused naming it.
func flagParam(q url.Values, name string) (bool, error) {
	switch q.Get(name) {
	case "", "0", "false":
		return false, nil
	case "1", "true":
		return true, nil
	}
	return false, errs.InvalidField(name, "validation.invalid_choice")
}

// pageParams reads offset and limit: absent means zero (the list's
// default); anything but a non-negative integer is refused naming it.
func pageParams(q url.Values) (offset, limit int, err error) {
	for _, p := range []struct {
		name string
		dst  *int
	}{{"offset", &offset}, {"limit", &limit}} {
		s := q.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, 0, errs.InvalidField(p.name, "case.number_invalid")
		}
		*p.dst = n
	}
	return offset, limit, nil
}

package identify

import (
	"database/sql"
	"encoding/json"

	"github.com/ura-nrm/ura/internal/errs"
	"github.com/ura-nrm/ura/internal/store"
)

// scanned is a row of screenings with its sealed note, opened only by Find.
type scanned struct {
	Screening
	keyID   string
	noteEnc []byte
}

func scanScreenings(rows *sql.Rows) ([]scanned, error) {
	defer rows.Close()
	var out []scanned
	for rows.Next() {
		var sc scanned
		var profile, outcome, ids, dims string
		var ract, indicated int
		var at store.Time
		var caseID, keyID sql.NullString
		if err := rows.Scan(&sc.ID, &profile, &sc.Version, &ids, &ract, &outcome, &indicated, &dims,
			&sc.OrgID, &sc.UserID, &at, &caseID, &keyID, &sc.noteEnc); err != nil {
			return nil, errs.Internalf("scan screening: %w", err)
		}
		sc.Profile, sc.Outcome, sc.RecruitmentAct, sc.Indicated = Profile(profile), Outcome(outcome), ract == 1, indicated == 1
		sc.At, sc.CaseID, sc.keyID = at.Time, caseID.String, keyID.String
		if err := json.Unmarshal([]byte(ids), &sc.Indicators); err != nil {
			return nil, errs.Internalf("screening %s indicators: %w", sc.ID, err)
		}
		var stored map[string]storedDimension
		if err := json.Unmarshal([]byte(dims), &stored); err != nil {
			return nil, errs.Internalf("screening %s dimensions: %w", sc.ID, err)
		}
		for i, d := range Dimensions {
			sd := stored[d.String()]
			sc.Dimensions[i] = DimensionResult{Dimension: d, Positive: sd.Positive, Clause: sd.Clause,
				Strong: sd.Strong, Medium: sd.Medium, Weak: sd.Weak, Indicators: sd.Indicators}
		}
		// The combination is a pure function of the stored dimensions: recompute
		// it for the explanation, but keep the stored outcome as shown.
		stOutcome, stIndicated := sc.Outcome, sc.Indicated
		sc.Combination = Combine(sc.Profile.Child(), sc.Positive(), sc.RecruitmentAct)
		sc.Outcome, sc.Indicated = stOutcome, stIndicated
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, errs.Internalf("scan screenings: %w", err)
	}
	return out, nil
}

package store

// TableOwners names, for every table of the migrations, the one package that
// reads and writes it with SQL (a path under the module root). Any other
// package goes through the owner's functions: the case file's persons are
// merged by cases.MergePersons when duplicate detection asks for it, the
// organisations and users are read through auth's functions. The test
// TestEveryTableHasOneOwner scans every package's SQL and fails on a table
// named outside its owner, and on a table of the migrations missing here.
var TableOwners = map[string]string{
	// The platform.
	"schema_migrations": "internal/store",
	"settings":          "internal/store",
	"data_keys":         "internal/vault",
	"organisations":     "internal/auth",
	"users":             "internal/auth",
	"recovery_codes":    "internal/auth",
	"signin_throttle":   "internal/auth",
	"sessions":          "internal/auth",
	"api_tokens":        "internal/auth",
	"user_changes":      "internal/auth",
	"audit_events":      "internal/audit",
	"audit_checkpoints": "internal/audit",
	"audit_head":        "internal/audit",
	"break_glass":       "internal/breakglass",
	"job_locks":         "internal/jobs",
	// Screening before a case.
	"screenings": "internal/identify",
	// The case file.
	"persons":                  "internal/cases",
	"person_index":             "internal/cases",
	"case_counters":            "internal/cases",
	"cases":                    "internal/cases",
	"case_codes":               "internal/cases",
	"case_team":                "internal/cases",
	"case_events":              "internal/cases",
	"identification_decisions": "internal/cases",
	"case_guardians":           "internal/cases",
	"case_month_counts":        "internal/cases",
	"case_month_forms":         "internal/cases",
	"case_month_divisions":     "internal/cases",
	"case_stage_counts":        "internal/cases",
	// The records kept on a case.
	"consent_entries":   "internal/consent",
	"case_notes":        "internal/casenotes",
	"case_documents":    "internal/casenotes",
	"risk_assessments":  "internal/plans",
	"needs_assessments": "internal/plans",
	"care_plans":        "internal/plans",
	"care_plan_items":   "internal/plans",
	"case_reviews":      "internal/plans",
	"case_clocks":       "internal/clocks",
	"tasks":             "internal/clocks",
	// Referral: the directory, referrals and beds.
	"services":            "internal/referral",
	"referrals":           "internal/referral",
	"stays":               "internal/referral",
	"stay_exit_approvals": "internal/referral",
	"services_delivered":  "internal/referral",
	"occupancy_snapshots": "internal/referral",
	// Referral's kept statistics (migration 0025).
	"referral_answer_hours": "internal/referral",
	// Notifications.
	"notifications": "internal/notify",
	"notify_outbox": "internal/notify",
	// The helpline's contacts.
	"helpline_contacts": "internal/helpline",
	"helpline_counters": "internal/helpline",
	// Duplicate persons.
	"person_dedup_keys":    "internal/dedup",
	"duplicate_candidates": "internal/dedup",
	"person_merges":        "internal/dedup",
	"person_merge_cases":   "internal/dedup",
	// Safe publication: releases and the privacy budget.
	"disclosure_releases":  "internal/disclosure",
	"disclosure_budgets":   "internal/disclosure",
	"disclosure_exposures": "internal/disclosure",
	// Anonymous tips from the public portal.
	"tips":          "internal/tips",
	"tip_additions": "internal/tips",
	// The criminal-justice track.
	"criminal_cases":          "internal/justice",
	"criminal_case_orgs":      "internal/justice",
	"criminal_case_refs":      "internal/justice",
	"criminal_case_victims":   "internal/justice",
	"criminal_events":         "internal/justice",
	"criminal_defendants":     "internal/justice",
	"criminal_charges":        "internal/justice",
	"criminal_sentences":      "internal/justice",
	"criminal_assets":         "internal/justice",
	"criminal_victim_records": "internal/justice",
	// Licensing of providers against the minimum standards.
	"licences":                  "internal/licensing",
	"licence_applications":      "internal/licensing",
	"licence_application_steps": "internal/licensing",
	"inspections":               "internal/licensing",
	"inspection_items":          "internal/licensing",
	// Grant schemes: calls to contracts, and the public funding record.
	"grant_calls":            "internal/grants",
	"grant_criteria":         "internal/grants",
	"grant_applications":     "internal/grants",
	"grant_assignments":      "internal/grants",
	"grant_scores":           "internal/grants",
	"grant_contracts":        "internal/grants",
	"grant_budget_lines":     "internal/grants",
	"grant_payments":         "internal/grants",
	"grant_reports":          "internal/grants",
	"grant_amendments":       "internal/grants",
	"grant_indicators":       "internal/grants",
	"grant_indicator_values": "internal/grants",
	"grant_call_funders":     "internal/grants",
	"grant_concept_criteria": "internal/grants",
	"grant_concept_notes":    "internal/grants",
	"grant_concept_scores":   "internal/grants",
	"public_funding":         "internal/grants",
	// Transnational exchange: keys, partners, case references, the message log.
	"exchange_keys":         "internal/exchange",
	"exchange_partners":     "internal/exchange",
	"exchange_partner_keys": "internal/exchange",
	"exchange_case_refs":    "internal/exchange",
	"exchange_messages":     "internal/exchange",
	"exchange_pictures":     "internal/exchange",
	// Coordination: plans, progress, recommendations, trainings, campaigns.
	"coord_plans":            "internal/coord",
	"coord_objectives":       "internal/coord",
	"coord_activities":       "internal/coord",
	"coord_activity_support": "internal/coord",
	"coord_indicators":       "internal/coord",
	"coord_targets":          "internal/coord",
	"coord_measurements":     "internal/coord",
	"coord_progress":         "internal/coord",
	"coord_evidence":         "internal/coord",
	"coord_assessments":      "internal/coord",
	"coord_recommendations":  "internal/coord",
	"coord_rec_links":        "internal/coord",
	"coord_monitors":         "internal/coord",
	"coord_comments":         "internal/coord",
	"coord_alerts":           "internal/coord",
	"coord_trainings":        "internal/coord",
	"coord_participants":     "internal/coord",
	"coord_campaigns":        "internal/coord",
	"coord_campaign_events":  "internal/coord",
	"coord_history":          "internal/coord",
	// Domestic and gender-based violence.
	"gbv_incidents":         "internal/gbv",
	"gbv_risk_assessments":  "internal/gbv",
	"gbv_safety_plans":      "internal/gbv",
	"gbv_protection_orders": "internal/gbv",
	"gbv_order_violations":  "internal/gbv",
	"gbv_dependants":        "internal/gbv",
	"gbv_perpetrators":      "internal/gbv",
	"stay_dependants":       "internal/referral",
}

// TableOwnerExceptions are the packages allowed to name any table, each with
// its reason (docs/architecture.md).
var TableOwnerExceptions = map[string]string{
	"internal/demo/scale":     "the bulk generator writes a million cases in multi-row inserts, bypassing the services",
	"internal/backup":         "a backup reads, and a restore writes, every table by design",
	"internal/clocks/fixture": "a fixture of tests only: it seeds organisations and users directly",
}

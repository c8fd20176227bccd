package cases

// The HTCDS v2.0 picklists a case uses (DOMAIN §5.1), as data: the codes are
// stored as they are, and their labels live in the i18n catalogues under
// "htcds.<field>.<code>", so a report in any language reads the same codes.

// Picklist field names, as stored in case_codes.field.
const (
	FieldExploitation = "exploitation" // vic_TypeOfExploitation
	FieldControl      = "control"      // vic_MethodsOfControl
	FieldRecruitment  = "recruitment"  // vic_MethodOfRecruitment
)

// Picklists maps each multi-valued field to its codes, in HTCDS order.
var Picklists = map[string][]string{
	FieldExploitation: {"ForcedLabour", "SexualExploitation", "ChildLabour", "ForcedMarriage", "Servitude",
		"ForcedMilitaryByNonStateActors", "OrganRemoval", "ForcedBegging", "ForcedAdoption", "Surrogacy",
		"ForcedCriminality", "Other"},
	FieldControl: {"PhysicalThreats", "ThreatsLawEnforcement", "ThreatensChildrenFamily", "DebtBondage",
		"FalsePromises", "PhysicalAbuse", "SexualAbuse", "TakesEarnings", "RestrictsFinancialAccess",
		"RestrictsMedicalCare", "WithholdsNecessities", "PsychologicalAbuse", "PsychoactiveSubstance",
		"ExcessiveWorkingHours", "WithholdsDocuments", "UsesChildren", "Other"},
	FieldRecruitment: {"AtAPlaceOfBusiness", "AtAnEducationalInstitution", "AtWork", "ThroughOnlineSocialNetworks",
		"ThroughAnOnlineAdvertisement", "ThroughATelevisionAdvert", "ThroughANewspaperAdvert",
		"ThroughFamilyOrFamilyEvents", "ThroughFriendsOrSocialEvents", "Other"},
}

// PicklistFields lists the multi-valued fields in display order.
var PicklistFields = []string{FieldExploitation, FieldControl, FieldRecruitment}

// DecisionOrgTypes is HTCDS vic_TraffickingStatusDecisionMakingOrg.
var DecisionOrgTypes = []string{"Police", "NGO", "CourtOrProsecution", "NonPoliceGovernmentalOrganization", "Other"}

// Sexes are the sex values Ura records; HTCDS prs_Gender is derived from them
// in exports (female → Feminine, male → Masculine, other → NonConforming,
// unknown → NonSpecifiedUnknown).
var Sexes = []string{"female", "male", "other", "unknown"}

// AgeBands are the statistical age bands at opening, youngest first; the
// three child bands follow the usual GRETA/Eurostat split.
var AgeBands = []string{"0-11", "12-14", "15-17", "18-24", "25-34", "35-49", "50+"}

func inList(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// validCodes reports whether every code belongs to the field's picklist.
func validCodes(field string, codes []string) bool {
	for _, c := range codes {
		if !inList(Picklists[field], c) {
			return false
		}
	}
	return true
}

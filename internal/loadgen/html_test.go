package loadgen

import (
	"testing"
)

// The fragments below have the shape of Ura's templates; the integration
// test reads the real pages.

func TestReferable(t *testing.T) {
	page := `<h1 id="case-reference">XK-2026-0007</h1>
<select id="referral-service" name="service_id" required><option value="">Choose</option>
<option value="s1">Demo Shelter Drita (Trafficking shelter)</option><option value="s2">Demo Women&#39;s House (Shelter)</option>
<option value="s3">Demo Legal Aid (Legal aid)</option></select>
<table class="table" id="case-referrals"><tbody>
<tr id="referral-r1" data-state="declined" data-overdue="false">
  <th scope="row"><a href="/referrals/r1">Demo Legal Aid</a> <span class="hint">NGO</span></th></tr>
<tr id="referral-r2" data-state="pending" data-overdue="false">
  <th scope="row"><a href="/referrals/r2">Demo Women&#39;s House</a> <span class="hint">Shelter</span></th></tr>
</tbody></table>
<ol id="timeline" class="timeline">
    <li><time>1</time></li>
    <li><time>2</time></li>
</ol>`
	c := ParseCase(page)
	if c.Reference != "XK-2026-0007" || c.Timeline != 2 || c.CanNote {
		t.Errorf("ParseCase = %+v", c)
	}
	got := c.Referable()
	if len(got) != 2 || got[0].Value != "s1" || got[1].Value != "s3" {
		t.Errorf("Referable = %+v; want s1 and s3 (s2 has a pending referral, s3's was declined)", got)
	}
	if ParseCase("<p>no timeline</p>").Timeline != -1 {
		t.Error("a page without a timeline reads as one")
	}
}

func TestInbox(t *testing.T) {
	row := func(id, state, service string, form bool) string {
		s := `<tr id="referral-` + id + `" data-case="C-` + id + `" data-state="` + state + `" data-overdue="false">
      <th scope="row"><a href="/referrals/` + id + `">C-` + id + `</a></th>
      <td>` + service + `</td><td>Police</td>`
		if form {
			s += `<td><form method="post" action="/referrals/` + id + `/accept" class="inline"></form></td>`
		}
		return s + "</tr>"
	}
	for _, tc := range []struct {
		name string
		page string
		want []InboxRow
	}{
		{"rows", `<section><table class="table" id="inbox"><tbody>` + row("a", "pending", "Demo Shelter Drita", true) +
			row("b", "accepted", "Demo Shelter Drita", false) + `</tbody></table></section>`,
			[]InboxRow{{"a", "C-a", "pending", "Demo Shelter Drita", true}, {"b", "C-b", "accepted", "Demo Shelter Drita", false}}},
		{"empty inbox, outbox rows are not read as inbox", `<section><p class="empty" id="inbox">None</p></section>
<section><table class="table" id="outbox"><tbody>` + row("c", "pending", "X", false) + `</tbody></table></section>`, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := Inbox(tc.page)
			if len(got) != len(tc.want) {
				t.Fatalf("Inbox = %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("row %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestShelterBedsAndLinks(t *testing.T) {
	board := `<table class="table" id="shelter-board"><tbody>
    <tr id="shelter-1" data-free="3" data-full="false" data-over="false">
      <th scope="row"><a href="/services/1">Demo Shelter Drita</a></th></tr>
    <tr id="shelter-2" data-free="0" data-full="true" data-over="false">
      <th scope="row"><a href="/services/2">Demo Transit House</a></th></tr>
    <tr id="shelter-3" data-free="-1" data-full="false" data-over="true">
      <th scope="row"><a href="/services/3">Demo Shelter Drita</a></th></tr></tbody></table>`
	beds := ShelterBeds(board)
	if len(beds) != 2 || beds["Demo Shelter Drita"] != -1 || beds["Demo Transit House"] != 0 {
		t.Errorf("ShelterBeds = %v", beds)
	}
	list := `<a href="/cases/new">New</a><table class="table" id="case-list"><tbody>
<tr><td><a href="/cases/abc123">XK-1</a></td></tr><tr><td><a href="/cases/def456">XK-2</a></td></tr></tbody></table>
<nav class="pager"><a href="/cases?offset=50" rel="next">Next</a></nav>`
	links := CaseLinks(list)
	if len(links) != 2 || links[0] != (CaseLink{"abc123", "XK-1"}) || links[1] != (CaseLink{"def456", "XK-2"}) {
		t.Errorf("CaseLinks = %+v", links)
	}
	if CSRFToken(`<input type="hidden" name="csrf" value="t&#43;k">`) != "t+k" {
		t.Error("CSRFToken does not unescape")
	}
}

package exchange

import (
	"context"
	"encoding/json"

	"github.com/ura-nrm/ura/internal/access"
)

// SendPictureBody queues a regional_table with body as it is, past the
// statistics' protection: how a faulty or hostile partner would send one.
func SendPictureBody(ctx context.Context, s *Service, to string, body json.RawMessage) (string, error) {
	return s.Send(ctx, access.SystemActor, SendRequest{To: to, Type: PictureType, Body: body, procedure: true})
}

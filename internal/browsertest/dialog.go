package browsertest

import (
	"context"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// AnswerDialogs answers every alert, confirm and prompt the tab opens from now
// on: answer gets the dialog's message and says whether to accept it. Without
// it, a click on a button with data-confirm blocks the page until the test
// times out.
func AnswerDialogs(ctx context.Context, answer func(message string) bool) error {
	return chromedp.Listen(ctx, func(ev any) {
		e, ok := ev.(*page.EventJavascriptDialogOpening)
		if !ok {
			return
		}
		accept := answer(e.Message)
		// Listen's callback must not send commands; answer from a goroutine.
		go chromedp.Run(ctx, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: accept})
			return err
		}))
	})
}

/// Why a chat request body was refused: the same as any front's refusal.
package typealias ChatRequestError = FrontRequestError

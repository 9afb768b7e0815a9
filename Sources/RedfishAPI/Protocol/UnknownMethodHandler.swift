import HTTPTypes
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Answers a request whose method HTTP's parser does not know (`FAKEMETHOD /redfish/v1/`) with
/// 501 Not Implemented, as Redfish asks for methods a service does not support; without this the
/// parse error would be Hummingbird's 400. The connection closes after it: its bytes can no
/// longer be read as requests.
final class UnknownMethodHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let parserError = error as? HTTPParserError, parserError == .invalidMethod else {
            context.fireErrorCaught(error)
            return
        }
        var head = HTTPResponse(status: .notImplemented)
        head.headerFields[.contentLength] = "0"
        head.headerFields[.connection] = "close"
        head.headerFields[RedfishHeaders.odataVersion] = "4.0"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        let closing = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in closing.value.close(promise: nil) }
    }
}

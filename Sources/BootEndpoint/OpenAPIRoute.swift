import Foundation
import Hummingbird

extension BootEndpoint {
    /// `GET /openapi.yaml`: the endpoint's OpenAPI description, shipped as the module's resource.
    func addOpenAPIRoute(to router: Router<EndpointRequestContext>) {
        router.get("/openapi.yaml") { _, _ in
            guard let url = Bundle.module.url(forResource: "openapi", withExtension: "yaml"),
                  let data = try? Data(contentsOf: url) else {
                throw APIError.notFound("the OpenAPI document is not installed next to pxelab")
            }
            return Response(status: .ok, headers: [.contentType: "application/yaml"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}

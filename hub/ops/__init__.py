"""Operations: request context (trace ids), the API-Version header, metrics and health."""

import { ApiProperty } from '@nestjs/swagger';

/** The `status` member of every response. */
export class EnvelopeStatusDto {
  /** Empty on success; a sentence saying what went wrong otherwise. */
  @ApiProperty({ example: '' })
  Message!: string;

  /** The HTTP status code, as a string. */
  @ApiProperty({ example: '202' })
  Code!: string;
}

/** One invalid input, located by a path into the request. */
class FieldErrorDto {
  /** Where the problem is: `[3].pointType` for the fourth point's type, `deviceId` for the path parameter. */
  @ApiProperty({ example: '[3].pointType' })
  path!: string;

  @ApiProperty({ example: 'pointType must be at most 64 characters' })
  message!: string;
}

/** The envelope of every error response. */
export class ErrorEnvelopeDto {
  @ApiProperty({ type: EnvelopeStatusDto, example: { Message: 'No points provided', Code: '400' } })
  status!: EnvelopeStatusDto;

  /** Always null on errors. */
  @ApiProperty({ type: 'object', properties: {}, nullable: true, example: null })
  data!: null;

  /** Present on validation errors: one entry per invalid input. */
  @ApiProperty({ type: [FieldErrorDto], required: false })
  errors?: FieldErrorDto[];
}


      export type PossibleTypesResultData = {
  "possibleTypes": {
    "BatchCopyResult": [
      "CopyAccepted",
      "CopyPartiallyFailed",
      "CopyRejected",
      "CopySucceeded"
    ],
    "CopyOutcome": [
      "CopyAccepted",
      "CopyPartiallyFailed",
      "CopyRejected",
      "CopySucceeded"
    ],
    "Node": [
      "CopyTask"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "BatchCopyResult": [
      "CopyAccepted",
      "CopyPartiallyFailed",
      "CopyRejected",
      "CopySucceeded"
    ],
    "CopyOutcome": [
      "CopyAccepted",
      "CopyPartiallyFailed",
      "CopyRejected",
      "CopySucceeded"
    ],
    "Node": [
      "CopyTask"
    ]
  }
};
      export default result;
    